using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using Hyperion;
using Hyperion.SerializerFactories;
using Hyperion.ValueSerializers;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// Counts how deep a value nests while Hyperion writes or reads it, so that a deep graph (a linked list of 100,000
/// nodes) ends in a clear error or a retry on a bigger stack (<see cref="DeepStack"/>) instead of a stack overflow,
/// which no code can catch and which would kill the caller's process.
/// </summary>
/// <remarks>
/// Hyperion recurses once per nested object, collection or element. This factory wraps the serializer of every type
/// Hyperion builds one for (its own POCO serializer and those of its built-in factories), so every such recursion
/// passes through <see cref="Guard"/>: one counter increment and one stack-pointer comparison per nested object.
/// Primitives and strings never nest and are not wrapped.
/// </remarks>
internal sealed class ValueDepthGuard : ValueSerializerFactory
{
    /// <summary>The limit before any pool sets one (a child before its Init frame). reference.conf's
    /// <c>poolcluster.pool.max-value-depth</c> is the default; PoolClusterSettingsSpec pins this constant to it (a
    /// child does not parse HOCON to start).</summary>
    public const int DefaultMaxDepth = 100_000;

    private static int _maxDepth = DefaultMaxDepth;

    [ThreadStatic] private static int t_depth;

    public static readonly ValueDepthGuard Instance = new();

    /// <summary>Process-wide limit on nesting (pools in one process share their serializer): the largest one configured.</summary>
    public static int MaxDepth => Volatile.Read(ref _maxDepth);

    /// <summary>Raises the process-wide limit to <paramref name="maxDepth"/> when that is larger (a second pool never
    /// makes a first pool's values fail).</summary>
    public static void Allow(int maxDepth)
    {
        int current;
        while (maxDepth > (current = Volatile.Read(ref _maxDepth)) &&
               Interlocked.CompareExchange(ref _maxDepth, maxDepth, current) != current) { }
    }

    /// <summary>Sets the limit exactly (a child process takes its parent's).</summary>
    public static void Set(int maxDepth) => Volatile.Write(ref _maxDepth, maxDepth);

    // Hyperion asks CanSerialize (or CanDeserialize) and then, on the same thread, calls BuildSerializer.
    [ThreadStatic] private static bool t_buildingForRead;

    public override bool CanSerialize(Serializer serializer, Type type)
    {
        t_buildingForRead = false;
        return true;
    }

    public override bool CanDeserialize(Serializer serializer, Type type)
    {
        t_buildingForRead = true;
        return true;
    }

    public override ValueSerializer BuildSerializer(Serializer serializer, Type type, ConcurrentDictionary<Type, ValueSerializer> typeMapping)
    {
        var forRead = t_buildingForRead;
        // Hyperion's built-in factories come after this one: let the one that claims the type build it, then wrap it.
        var after = false;
        foreach (var factory in FactoriesOf(serializer))
        {
            if (!after)
            {
                after = ReferenceEquals(factory, this);
                continue;
            }
            if (forRead ? factory.CanDeserialize(serializer, type) : factory.CanSerialize(serializer, type))
            {
                var inner = factory.BuildSerializer(serializer, type, typeMapping);
                // Collections and arrays are ObjectSerializers too, initialized by their factory: same direct read.
                var wrapped = new Guard(inner) { ReadFields = inner is ObjectSerializer built ? ReaderOf(built) : null };
                typeMapping[type] = wrapped;
                return wrapped;
            }
        }

        // A plain object: Hyperion's POCO serializer, registered wrapped before its code is generated so that a type
        // that contains itself (Node.Next) recurses through the guard.
        var poco = new ObjectSerializer(type);
        var guard = new Guard(poco);
        if (!typeMapping.TryAdd(type, guard)) return typeMapping[type];
        try
        {
            serializer.CodeGenerator.BuildSerializer(serializer, poco);
        }
        catch (Exception e)
        {
            var unsupported = new Unsupported(type, e.Message);
            typeMapping[type] = unsupported;
            return unsupported;
        }
        guard.ReadFields = ReaderOf(poco);
        return guard;
    }

    private static ObjectReader ReaderOf(ObjectSerializer serializer) => (ObjectReader)ReaderField.GetValue(serializer)!;

    // ObjectSerializer.ReadValue catches what a nested read throws and throws it again wrapped, once per level. In .NET
    // a catch block runs on top of the stack of the frames it catches from, so a failure 50,000 levels down would need
    // 50,000 nested rethrows' worth of stack: the overflow this guard exists to prevent. The guard calls the generated
    // field reader itself (no catch on the way up); Hyperion is pinned, so its private field is a known quantity.
    private static readonly System.Reflection.FieldInfo ReaderField =
        typeof(ObjectSerializer).GetField("_reader", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
        ?? throw new MissingFieldException("Hyperion.ValueSerializers.ObjectSerializer._reader (PoolCluster needs Hyperion 0.12.2)");

    // SerializerOptions keeps the factory list (ours first, then Hyperion's built-in ones) internal; Hyperion is pinned.
    private static readonly System.Reflection.FieldInfo FactoriesField =
        typeof(SerializerOptions).GetField("ValueSerializerFactories", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)
        ?? throw new MissingFieldException("Hyperion.SerializerOptions.ValueSerializerFactories (PoolCluster needs Hyperion 0.12.2)");

    private static ValueSerializerFactory[] FactoriesOf(Serializer serializer) => (ValueSerializerFactory[])FactoriesField.GetValue(serializer.Options)!;

    /// <summary>Thrown when the current thread's stack is nearly used up: <see cref="PayloadSerializer"/> retries on a
    /// thread with a stack sized for <see cref="MaxDepth"/>.</summary>
    internal sealed class StackExhaustedException() : Exception("the value nests deeper than this thread's stack allows");

    private static void Enter()
    {
        if (++t_depth > MaxDepth)
            throw TooDeep($"more than {MaxDepth:N0} objects deep");
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            // Only a limit raised past what the largest deep-value stack holds gets here on a deep-stack thread.
            throw DeepStack.IsDeepStackThread
                ? TooDeep($"{t_depth:N0} objects deep, more than the largest stack for values ({DeepStack.MaxStack / (1024 * 1024):N0} MB) holds")
                : new StackExhaustedException();
        }
    }

    private static TaskSerializationException TooDeep(string howDeep) => new(
        $"The value nests {howDeep} (a linked list or tree this deep, e.g. Node.Next.Next...). " +
        "Deeper values would overflow the stack of the process that reads them. Flatten it into an array or a List " +
        "(e.g. the nodes' values in order), or raise the limit: poolcluster.pool.max-value-depth, or PoolOptions.MaxValueDepth.");

    private sealed class Guard(ValueSerializer inner) : ValueSerializer
    {
        public override void WriteManifest(Stream stream, SerializerSession session) => inner.WriteManifest(stream, session);

        public override void WriteValue(Stream stream, object value, SerializerSession session)
        {
            try
            {
                Enter();
                inner.WriteValue(stream, value, session);
            }
            finally
            {
                t_depth--;
            }
        }

        /// <summary>The POCO serializer's generated reader, once built (until then <c>inner.ReadValue</c> waits for it).</summary>
        public volatile ObjectReader? ReadFields;

        public override object ReadValue(Stream stream, DeserializerSession session)
        {
            try
            {
                Enter();
                return ReadFields is { } read ? read(stream, session) : inner.ReadValue(stream, session);
            }
            finally
            {
                t_depth--;
            }
        }

        public override Type GetElementType() => inner.GetElementType();

        public override int PreallocatedByteBufferSize => inner.PreallocatedByteBufferSize;
    }

    private sealed class Unsupported(Type type, string reason) : ValueSerializer
    {
        public override void WriteManifest(Stream stream, SerializerSession session) => throw Error();
        public override void WriteValue(Stream stream, object value, SerializerSession session) => throw Error();
        public override object ReadValue(Stream stream, DeserializerSession session) => throw Error();
        public override Type GetElementType() => type;
        private SerializationException Error() => new($"{type.FullName} cannot be serialized: {reason}");
    }
}
