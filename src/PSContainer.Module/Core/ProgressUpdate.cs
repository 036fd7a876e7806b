namespace PSContainer.Module.Core;

/// <summary>
/// One progress record to show, as plain data (the cmdlet turns it into a ProgressRecord): a
/// parent activity for the whole operation and a child per layer.
/// </summary>
public sealed record ProgressUpdate(
    int ActivityId,
    int ParentActivityId,
    string Activity,
    string StatusDescription,
    int PercentComplete,
    bool Completed);
