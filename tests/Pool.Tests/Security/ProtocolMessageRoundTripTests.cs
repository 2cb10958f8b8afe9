using System.Collections;
using System.Reflection;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using PoolCluster.Tests.Integration;
using PoolCluster.WireFormat.Messages;
using Xunit.Abstractions;

namespace PoolCluster.Tests.Security;

/// <summary>
/// Every protocol message, found by reflection so that a new one cannot be forgotten, is bound to the protocol
/// serializer (the binding is a type-name string in reference.conf) and comes back from it whole (its allow-list is
/// type-name prefixes too).
/// </summary>
public sealed class ProtocolMessageRoundTripTests(ITestOutputHelper output) : TestKit(PoolClusterConfig.DefaultConfig(), output: output)
{
    private static readonly Guid SampleGuid = Guid.Parse("0b5f7c3e-9a41-4d8e-8c2f-3e1d5a7b9c01");

    [Fact]
    public void Every_protocol_message_is_bound_to_the_protocol_serializer_and_round_trips_through_it()
    {
        var types = ProtocolMessageTypes();
        Assert.True(types.Count >= 30, $"only {types.Count} protocol message types found: is the marker interface still {nameof(IPoolProtocolMessage)}?");
        var failures = new List<string>();
        foreach (var type in types)
        {
            output.WriteLine(type.FullName);
            var message = new SampleBuilder(TestActor).Build(type, type.Name);
            var serializer = Sys.Serialization.FindSerializerFor(message);
            if (serializer is not ProtocolSerializer)
            {
                failures.Add($"{type.FullName} is serialized by {serializer.GetType().FullName}, not {nameof(ProtocolSerializer)}: check the serialization-bindings in reference.conf");
                continue;
            }
            try
            {
                var back = serializer.FromBinary(serializer.ToBinary(message), type);
                AssertStructurallyEqual(message, back, type.Name);
            }
            catch (Exception e)
            {
                failures.Add($"{type.FullName} does not round-trip through {nameof(ProtocolSerializer)}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Every concrete type implementing the protocol marker, in every assembly of ours (the members' executables too).</summary>
    private static IReadOnlyList<Type> ProtocolMessageTypes() =>
        OurAssemblies()
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(IPoolProtocolMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false, ContainsGenericParameters: false })
            .Distinct()
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();

    private static IEnumerable<Assembly> OurAssemblies()
    {
        var loaded = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        foreach (var dll in Directory.GetFiles(AppContext.BaseDirectory, "Pool.*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(dll);
            if (name != "Pool.Tests") loaded[name] = Assembly.LoadFrom(dll);
        }
        // The members' executables are built, not referenced: load them from their own output.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        foreach (var member in new[] { "Pool.Seed", "Pool.Node" })
        {
            var dll = Path.Combine(ClusterProcesses.FindRepositoryRoot(), "src", member, "bin", configuration, "net10.0", member + ".dll");
            Assert.True(File.Exists(dll), $"{member} is not built ({dll}); build the solution first");
            loaded[member] = Assembly.LoadFrom(dll);
        }
        Assert.Contains("Pool.Core", loaded.Keys);
        return loaded.Values;
    }

    /// <summary>
    /// A sample value for each parameter type a protocol message has: non-default values, so that a field that does not
    /// travel shows. Records of ours are built through their constructor, with their init-only properties set too.
    /// </summary>
    private sealed class SampleBuilder(IActorRef actor)
    {
        private readonly NullabilityInfoContext _nullability = new();
        private readonly Stack<Type> _building = new();

        public object Build(Type type, string where) =>
            Sample(type, where, nullable: false) ?? throw new InvalidOperationException($"no sample for {type} ({where})");

        private object? Sample(Type type, string where, bool nullable)
        {
            if (Nullable.GetUnderlyingType(type) is { } underlying) return Sample(underlying, where, nullable: false);
            if (type == typeof(string)) return "text of " + where;
            if (type == typeof(object)) return "object of " + where;
            if (type == typeof(byte[])) return new byte[] { 1, 2, 254 };
            if (type == typeof(int)) return 7;
            if (type == typeof(long)) return 1L << 40;
            if (type == typeof(bool)) return true;
            if (type == typeof(double)) return 2.5;
            if (type == typeof(Guid)) return SampleGuid;
            if (type == typeof(TimeSpan)) return TimeSpan.FromSeconds(90);
            if (type == typeof(DateTime)) return new DateTime(2026, 12, 1, 19, 30, 5, DateTimeKind.Utc);
            if (type.IsEnum) return Enum.GetValues(type).Cast<object>().Last(); // not the default: a lost field shows
            if (type == typeof(IActorRef)) return actor;
            if (type.IsArray) return OneElementArray(type.GetElementType()!, where);
            if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
                && (definition == typeof(IReadOnlyList<>) || definition == typeof(List<>) || definition == typeof(IList<>)
                    || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IEnumerable<>)))
            {
                var element = type.GetGenericArguments()[0];
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
                if (!_building.Contains(element)) list.Add(Sample(element, where + "[0]", nullable: false)); // a cycle ends empty
                return list;
            }
            if (type.Namespace?.StartsWith("PoolCluster", StringComparison.Ordinal) == true)
            {
                if (_building.Contains(type))
                    return nullable ? null : throw new InvalidOperationException($"{where}: {type} contains itself and is not nullable; add a sample for it here");
                _building.Push(type);
                try { return type.IsAbstract || type.IsInterface ? SomeImplementation(type, where) : Construct(type, where); }
                finally { _building.Pop(); }
            }
            throw new InvalidOperationException(
                $"{where}: no sample value for {type}. Add one to {nameof(ProtocolMessageRoundTripTests)}.{nameof(SampleBuilder)} " +
                "(and make sure the protocol serializer's allow-list, ProtocolTypeFilter, admits it)");
        }

        private Array OneElementArray(Type element, string where)
        {
            if (_building.Contains(element)) return Array.CreateInstance(element, 0); // a cycle (ErrorInfo.InnerErrors) ends empty
            var array = Array.CreateInstance(element, 1);
            array.SetValue(Sample(element, where + "[0]", nullable: false), 0);
            return array;
        }

        private object SomeImplementation(Type type, string where)
        {
            var implementation = type.Assembly.GetTypes()
                .Where(t => type.IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false, ContainsGenericParameters: false })
                .OrderBy(t => t.FullName, StringComparer.Ordinal)
                .FirstOrDefault() ?? throw new InvalidOperationException($"{where}: {type} has no concrete implementation to sample");
            return Sample(implementation, where, nullable: false)!;
        }

        private object Construct(Type type, string where)
        {
            const BindingFlags Instance = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
            // The widest constructor that is not a record's copy constructor.
            var constructor = type.GetConstructors(Instance)
                .Where(c => c.GetParameters() is not [{ } only] || only.ParameterType != type)
                .OrderByDescending(c => c.GetParameters().Length)
                .FirstOrDefault() ?? throw new InvalidOperationException($"{where}: {type} has no constructor to build a sample with");
            var parameters = constructor.GetParameters();
            var instance = constructor.Invoke(parameters
                .Select(p => Sample(p.ParameterType, $"{where}.{p.Name}", IsNullable(_nullability.Create(p))))
                .ToArray());
            // Properties set outside the constructor (init-only ones such as TaskChunk.FirstItem) must travel too.
            var fromConstructor = parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (fromConstructor.Contains(property.Name) || property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0) continue;
                property.SetValue(instance, Sample(property.PropertyType, $"{where}.{property.Name}", IsNullable(_nullability.Create(property))));
            }
            return instance;
        }

        private static bool IsNullable(NullabilityInfo info) => info.WriteState == NullabilityState.Nullable || info.ReadState == NullabilityState.Nullable;
    }

    /// <summary>Equal values, member by member: records holding arrays and lists are not equal by reference.</summary>
    private static void AssertStructurallyEqual(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        var type = expected.GetType();
        if (type.IsPrimitive || type.IsEnum || expected is string or Guid or TimeSpan or decimal or IActorRef)
        {
            Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
            return;
        }
        if (expected is DateTime time)
        {
            Assert.True(actual is DateTime other && other == time && other.Kind == time.Kind, $"{path}: expected {time:O}, got {actual}");
            return;
        }
        if (expected is IEnumerable sequence)
        {
            var want = sequence.Cast<object?>().ToList();
            var got = Assert.IsAssignableFrom<IEnumerable>(actual).Cast<object?>().ToList();
            Assert.True(want.Count == got.Count, $"{path}: expected {want.Count} elements, got {got.Count}");
            for (var i = 0; i < want.Count; i++) AssertStructurallyEqual(want[i], got[i], $"{path}[{i}]");
            return;
        }
        Assert.True(type == actual.GetType(), $"{path}: expected a {type}, got a {actual.GetType()}");
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
            AssertStructurallyEqual(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
    }
}
