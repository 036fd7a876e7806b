namespace PSContainer.Module.Client;

/// <summary>What a request is about: it decides which "not found" an HTTP 404 means.</summary>
public enum EngineResource
{
    Engine,
    Container,
    Image,
    Volume,
    Network,
    Exec,
}
