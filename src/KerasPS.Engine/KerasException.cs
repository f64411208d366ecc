namespace KerasPS.Engine;

/// <summary>What kind of mistake an error reports; the cmdlet layer maps it to an ErrorCategory of the same name.</summary>
public enum ErrorKind
{
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    ObjectNotFound,
    ResourceUnavailable,
    NotInstalled,
    ResourceExists,
    OperationStopped,
    SecurityError,
}

/// <summary>
/// An error the engine reports to a user: a stable PascalCase id, a category and one message that says
/// what is wrong and what to do. Cmdlets turn it into an ErrorRecord with that id.
/// </summary>
public sealed class KerasException : Exception
{
    public KerasException(string errorId, ErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
    }

    /// <summary>Stable id, e.g. <c>UnknownActivation</c>; tests and scripts match on it.</summary>
    public string ErrorId { get; }

    public ErrorKind Kind { get; }

    /// <summary>The object the error is about (a value, a path), when there is one.</summary>
    public object? Target { get; init; }

    public static KerasException BadArgument(string id, string message, object? target = null) =>
        new(id, ErrorKind.InvalidArgument, message) { Target = target };

    public static KerasException BadOperation(string id, string message, object? target = null) =>
        new(id, ErrorKind.InvalidOperation, message) { Target = target };

    public static KerasException BadData(string id, string message, object? target = null) =>
        new(id, ErrorKind.InvalidData, message) { Target = target };
}
