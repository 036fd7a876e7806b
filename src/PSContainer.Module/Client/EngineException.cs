using System.Net;

namespace PSContainer.Module.Client;

/// <summary>A failure reported by (or about) the engine, with its stable kind and the HTTP status if any.</summary>
public sealed class EngineException : Exception
{
    public EngineException(EngineErrorKind kind, string message, HttpStatusCode? status = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        StatusCode = status;
    }

    public EngineException()
        : this(EngineErrorKind.EngineError, "The engine reported an error.")
    {
    }

    public EngineException(string message)
        : this(EngineErrorKind.EngineError, message)
    {
    }

    public EngineException(string message, Exception inner)
        : this(EngineErrorKind.EngineError, message, null, inner)
    {
    }

    public EngineErrorKind Kind { get; }

    public HttpStatusCode? StatusCode { get; }

    /// <summary>The stable id scripts match on (the kind's name).</summary>
    public string ErrorId => Kind.ToString();
}
