using System.Reflection;
using System.Runtime.ExceptionServices;

namespace PoolCluster.Serialization;

/// <summary>
/// An exception as it travels between processes. Hyperion drops stack traces and subclass fields of exceptions,
/// so errors travel as this plain record and are rebuilt on the caller's side.
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

    /// <summary><see cref="ArgumentException.ParamName"/>, for argument exceptions.</summary>
    public string? ParamName { get; init; }

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
            return new ErrorInfo(remote.RemoteTypeName, remote.RemoteMessage, remote.RemoteStackTrace, inner);

        return new ErrorInfo(type.AssemblyQualifiedName ?? type.FullName ?? type.Name, e.Message, e.StackTrace, inner)
        {
            InnerErrors = innerErrors,
            ParamName = (e as ArgumentException)?.ParamName,
        };
    }

    /// <summary>
    /// Rebuilds the exception: the original type when it resolves here and has a (string, Exception) or (string)
    /// constructor, with the remote stack attached; otherwise a <see cref="RemoteTaskException"/>.
    /// </summary>
    public Exception ToException()
    {
        var inner = Inner?.ToException();
        var rebuilt = TryRebuild(inner);
        if (rebuilt is null)
            return new RemoteTaskException(DisplayTypeName, Message, StackTrace, inner);

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

        try
        {
            if (type == typeof(AggregateException) && InnerErrors is not null)
                return RebuildAggregate();

            var message = ParamName is null ? Message : StripParamSuffix(Message, ParamName);
            var exception = Construct(type, message, inner);
            if (exception is ArgumentException && ParamName is not null)
                SetParamName(exception, ParamName);
            return exception;
        }
        catch (Exception)
        {
            return null;
        }
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

    private static Exception? Construct(Type type, string message, Exception? inner)
    {
        // (string, Exception) first: for ArgumentNullException and ObjectDisposedException the (string) overload takes a name, not a message.
        var withInner = type.GetConstructor([typeof(string), typeof(Exception)]);
        if (withInner is not null)
            return (Exception)withInner.Invoke([message, inner]);
        var messageOnly = type.GetConstructor([typeof(string)]);
        return inner is null && messageOnly is not null ? (Exception)messageOnly.Invoke([message]) : null;
    }

    private static string StripParamSuffix(string message, string paramName)
    {
        var probe = new ArgumentException("", paramName).Message; // the runtime's own " (Parameter 'x')" in the current culture
        return probe.Length > 0 && message.EndsWith(probe, StringComparison.Ordinal) ? message[..^probe.Length] : message;
    }

    private static void SetParamName(Exception exception, string paramName) =>
        typeof(ArgumentException).GetField("_paramName", BindingFlags.Instance | BindingFlags.NonPublic)?.SetValue(exception, paramName);

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
