using System.Runtime.ExceptionServices;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// An exception as it travels between processes. Hyperion drops stack traces and subclass fields of exceptions,
/// so errors travel as this plain record and are rebuilt on the caller's side: the same type, message, stack, inner
/// chain, HResult, the type's own properties and <see cref="Exception.Data"/> (as simple values, see
/// <see cref="ExceptionProperties"/>).
/// </summary>
/// <param name="TypeName">Assembly-qualified name of the exception type.</param>
/// <param name="Message">The exception's message as the thrower saw it.</param>
/// <param name="StackTrace">The stack trace in the throwing process, when it had one.</param>
/// <param name="Inner">The inner exception, when there is one.</param>
internal sealed record ErrorInfo(string TypeName, string Message, string? StackTrace, ErrorInfo? Inner)
{
    // Deep or cyclic inner chains are cut here; the tail is of no use to a reader.
    private const int MaxDepth = 16;

    /// <summary>The inner exceptions of an <see cref="AggregateException"/>; null for other types.</summary>
    public ErrorInfo[]? InnerErrors { get; init; }

    /// <summary>The message as the exception stored it, when a <c>Message</c> override decorates it (ArgumentException
    /// appends its parameter); null when it is <see cref="Message"/>. Rebuilding stores it again, so the rebuilt
    /// <c>Message</c> reads as the original.</summary>
    public string? StoredMessage { get; init; }

    /// <summary><see cref="Exception.HResult"/> (IOException and friends carry the OS error in it).</summary>
    public int HResult { get; init; }

    /// <summary><see cref="Exception.Source"/> and <see cref="Exception.HelpLink"/>.</summary>
    public string? Source { get; init; }

    /// <inheritdoc cref="Source"/>
    public string? HelpLink { get; init; }

    /// <summary>The type's own public properties that can travel and be set again (key: the property name).</summary>
    public Entry[]? Properties { get; init; }

    /// <summary>The entries of <see cref="Exception.Data"/> that can travel.</summary>
    public Entry[]? Data { get; init; }

    /// <summary>A key and a simple value. (Arrays of this record rather than dictionaries: a worker node's protocol
    /// serializer reads these types, and Hyperion writes an object-keyed dictionary through types it refuses.)</summary>
    internal sealed record Entry(object Key, object? Value);

    /// <summary>An enum value in <see cref="Properties"/> or <see cref="Data"/>: its type travels by name, so a worker
    /// node that does not know the type passes it on unchanged.</summary>
    internal sealed record EnumValue(string TypeName, long Value);

    /// <summary>The full type name without assembly, as shown to users.</summary>
    public string DisplayTypeName => StripAssembly(TypeName);

    /// <summary>Captures <paramref name="e"/> (type, message, stack, inner chain).</summary>
    public static ErrorInfo From(Exception e) => From(e, 0);

    private static ErrorInfo From(Exception e, int depth)
    {
        var type = e.GetType();
        ErrorInfo[]? innerErrors = null;
        ErrorInfo? inner = null;
        if (depth < MaxDepth)
        {
            if (e is AggregateException aggregate)
                innerErrors = aggregate.InnerExceptions.Select(x => From(x, depth + 1)).ToArray();
            if (e.InnerException is { } innerException)
                inner = From(innerException, depth + 1);
        }

        // A RemoteTaskException that travels again keeps the original remote type rather than its own.
        if (e is RemoteTaskException remote)
            return new ErrorInfo(remote.RemoteTypeName, remote.RemoteMessage, remote.RemoteStackTrace, inner)
            {
                Data = ExceptionProperties.CaptureData(e),
            };

        return new ErrorInfo(type.AssemblyQualifiedName ?? type.FullName ?? type.Name, e.Message, e.StackTrace, inner)
        {
            InnerErrors = innerErrors,
            StoredMessage = ExceptionConstruction.StoredMessage(e) is { } stored && stored != e.Message ? stored : null,
            HResult = e.HResult,
            Source = Safely(() => e.Source),
            HelpLink = e.HelpLink,
            Properties = ExceptionProperties.Capture(e),
            Data = ExceptionProperties.CaptureData(e),
        };
    }

    private static string? Safely(Func<string?> read)
    {
        try { return read(); }
        catch (Exception) { return null; }
    }

    /// <summary>
    /// Rebuilds the exception: the original type when it resolves here (built as <see cref="ExceptionConstruction"/>
    /// describes, then its HResult, properties and Data set), with the remote stack attached; otherwise a
    /// <see cref="RemoteTaskException"/> carrying the Data.
    /// </summary>
    public Exception ToException()
    {
        var inner = Inner?.ToException();
        var rebuilt = TryRebuild(inner);
        if (rebuilt is null)
        {
            var remote = new RemoteTaskException(DisplayTypeName, Message, StackTrace, inner);
            ExceptionProperties.RestoreData(remote, Data);
            return remote;
        }

        if (!string.IsNullOrEmpty(StackTrace))
        {
            try { ExceptionDispatchInfo.SetRemoteStackTrace(rebuilt, StackTrace); }
            catch (InvalidOperationException) { /* a constructor that throws-and-catches left its own trace: keep the rebuilt type anyway */ }
        }
        return rebuilt;
    }

    private Exception? TryRebuild(Exception? inner)
    {
        Type? type;
        try { type = Type.GetType(TypeName, throwOnError: false); }
        catch (Exception) { type = null; }
        if (type is null || !typeof(Exception).IsAssignableFrom(type) || type.IsAbstract)
            return null;

        Exception? exception;
        try
        {
            exception = type == typeof(AggregateException) && InnerErrors is not null
                ? RebuildAggregate()
                : ExceptionConstruction.Create(type, StoredMessage ?? Message, inner);
        }
        catch (Exception)
        {
            return null;
        }
        if (exception is null) return null;
        // Each piece on its own: one that does not fit must not cost the caller the others, or the type.
        try { exception.HResult = HResult; } catch (Exception) { }
        try { exception.Source = Source; } catch (Exception) { }
        try { exception.HelpLink = HelpLink; } catch (Exception) { }
        ExceptionProperties.Restore(exception, Properties);
        ExceptionProperties.RestoreData(exception, Data);
        return exception;
    }

    private AggregateException RebuildAggregate()
    {
        var inners = InnerErrors!.Select(x => x.ToException()).ToArray();
        // AggregateException.Message appends " (inner message)" per inner; strip it so the rebuilt message is not doubled.
        var message = Message;
        var suffix = string.Concat(inners.Select(x => " (" + x.Message + ")"));
        if (suffix.Length > 0 && message.EndsWith(suffix, StringComparison.Ordinal))
            message = message[..^suffix.Length];
        return new AggregateException(message, inners);
    }

    private static string StripAssembly(string assemblyQualifiedName)
    {
        // Cut at the first comma outside generic brackets: "A.B`1[[C, D]], E" -> "A.B`1[[C, D]]".
        var depth = 0;
        for (var i = 0; i < assemblyQualifiedName.Length; i++)
        {
            switch (assemblyQualifiedName[i])
            {
                case '[': depth++; break;
                case ']': depth--; break;
                case ',' when depth == 0: return assemblyQualifiedName[..i];
            }
        }
        return assemblyQualifiedName;
    }
}
