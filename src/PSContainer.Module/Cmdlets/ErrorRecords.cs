using System.Management.Automation;
using PSContainer.Module.Client;
using PSContainer.Module.Core;

namespace PSContainer.Module.Cmdlets;

/// <summary>Builds ErrorRecords from the error catalog: stable id, category and the object that failed.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord Create(Exception exception, object? target)
    {
        var entry = exception switch
        {
            EngineException engine => ErrorCatalog.For(engine.Kind),
            ArgumentException => ErrorCatalog.ForArgument(),
            FileNotFoundException or DirectoryNotFoundException => new ErrorCatalog.Entry("PathNotFound", nameof(ErrorCategory.ObjectNotFound), false),
            UnauthorizedAccessException => new ErrorCatalog.Entry("AccessDenied", nameof(ErrorCategory.PermissionDenied), false),
            InvalidDataException => new ErrorCatalog.Entry("InvalidData", nameof(ErrorCategory.InvalidData), false),
            IOException => new ErrorCatalog.Entry("IOError", nameof(ErrorCategory.WriteError), false),
            _ => new ErrorCatalog.Entry("EngineError", nameof(ErrorCategory.NotSpecified), false),
        };
        var category = Enum.TryParse<ErrorCategory>(entry.Category, out var parsed) ? parsed : ErrorCategory.NotSpecified;
        return new ErrorRecord(exception, entry.ErrorId, category, target);
    }
}
