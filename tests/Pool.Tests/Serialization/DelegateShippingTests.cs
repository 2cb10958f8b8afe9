using System.Linq.Expressions;
using System.Text;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Tests.Serialization;

public static class ShippableFunctions
{
    public static int Square(int x) => x * x;

    public static T Identity<T>(T value) => value;

    public static int AddTo(this string prefix, int x) => prefix.Length + x;
}

public sealed class GenericHolder<T>
{
    public static string Describe(T value) => typeof(T).Name + ":" + value;
}

public sealed class Multiplier
{
    private readonly int _factor;

    public Multiplier(int factor) => _factor = factor;

    public Func<int, int> Times() => x => x * _factor;

    public int Apply(int x) => x * _factor;
}

public sealed record Job(string Name, Func<int, int> Function);

public sealed class DelegateShippingTests
{
    private static T RoundTrip<T>(T value) => PayloadSerializer.Instance.Deserialize<T>(PayloadSerializer.Instance.Serialize(value));

    [Fact]
    public void Static_method_group_round_trips()
    {
        var back = RoundTrip<Func<int, int>>(ShippableFunctions.Square);
        Assert.Equal(49, back(7));
        Assert.Equal(typeof(ShippableFunctions).GetMethod(nameof(ShippableFunctions.Square)), back.Method);
    }

    [Fact]
    public void Framework_static_method_round_trips()
    {
        var back = RoundTrip<Func<int, int>>(Math.Abs);
        Assert.Equal(5, back(-5));
    }

    [Fact]
    public void Non_capturing_lambda_round_trips()
    {
        var back = RoundTrip<Func<int, string>>(x => "n" + (x + 1));
        Assert.Equal("n3", back(2));
    }

    [Fact]
    public void Closure_capturing_locals_round_trips()
    {
        var offset = 10;
        var names = new List<string> { "a", "b" };
        var back = RoundTrip<Func<int, string>>(x => names[x] + (x + offset));
        Assert.Equal("b11", back(1));
    }

    [Fact]
    public void Nested_closure_scopes_and_captured_delegates_round_trip()
    {
        var outer = 100;
        Func<int, int> inner = x => x + outer;
        var back = RoundTrip<Func<int, int>>(y =>
        {
            var local = 2;
            return inner(y) * local;
        });
        Assert.Equal(204, back(2));
    }

    [Fact]
    public void Recursive_closure_round_trips()
    {
        Func<int, int> factorial = null!;
        factorial = n => n <= 1 ? 1 : n * factorial(n - 1);
        var back = RoundTrip(factorial);
        Assert.Equal(120, back(5));
    }

    [Fact]
    public void Closure_capturing_this_of_a_serializable_class_round_trips()
    {
        var back = RoundTrip(new Multiplier(3).Times());
        Assert.Equal(21, back(7));
        Assert.IsType<Multiplier>(back.Target);
    }

    [Fact]
    public void Instance_method_group_round_trips_with_its_target()
    {
        var back = RoundTrip<Func<int, int>>(new Multiplier(4).Apply);
        Assert.Equal(20, back(5));
    }

    [Fact]
    public void Generic_method_round_trips()
    {
        var back = RoundTrip<Func<string, string>>(ShippableFunctions.Identity);
        Assert.Equal("same", back("same"));
        Assert.Equal(typeof(string), back.Method.GetGenericArguments().Single());
    }

    [Fact]
    public void Method_of_generic_type_round_trips()
    {
        var back = RoundTrip<Func<double, string>>(GenericHolder<double>.Describe);
        Assert.Equal("Double:1.5", back(1.5));
    }

    [Fact]
    public void Closure_inside_generic_method_round_trips()
    {
        static Func<T, T[]> Repeat<T>(int times) => x => Enumerable.Repeat(x, times).ToArray();
        var back = RoundTrip(Repeat<string>(3));
        Assert.Equal(new[] { "z", "z", "z" }, back("z"));
    }

    [Fact]
    public void Static_method_closed_over_its_first_argument_round_trips()
    {
        Func<int, int> addTo = "abc".AddTo;
        var back = RoundTrip(addTo);
        Assert.Equal(13, back(10));
    }

    [Fact]
    public void Delegates_inside_records_and_arrays_round_trip()
    {
        var k = 5;
        var job = RoundTrip(new Job("j", x => x + k));
        Assert.Equal(6, job.Function(1));

        var functions = RoundTrip(new Func<int, int>[] { ShippableFunctions.Square, x => -x });
        Assert.Equal(new[] { 9, -3 }, functions.Select(f => f(3)));
    }

    [Fact]
    public void Delegates_travel_as_descriptors_not_as_hyperions_raw_method_info()
    {
        var bytes = PayloadSerializer.Instance.Serialize((Func<int, int>)ShippableFunctions.Square);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains("ShippedDelegate", text);
        Assert.DoesNotContain("MethodInfo", text);
    }

    [Fact]
    public void Descriptor_with_a_different_module_version_id_is_rejected()
    {
        var descriptor = DelegateDescriptor.Describe((Func<int, int>)ShippableFunctions.Square);
        Assert.Equal(49, ((Func<int, int>)descriptor.Resolve())(7));

        var forged = descriptor with { ModuleVersionId = Guid.NewGuid() };
        var e = Assert.Throws<FunctionResolutionException>(() => forged.Resolve());
        Assert.Contains("different build", e.Message);
        Assert.Contains(forged.ModuleVersionId.ToString(), e.Message);
        Assert.Contains(descriptor.ModuleVersionId.ToString(), e.Message);
        Assert.Contains(typeof(ShippableFunctions).Assembly.GetName().Name!, e.Message);
    }

    [Fact]
    public void Payload_from_a_different_build_is_rejected_before_the_target_is_read()
    {
        var k = 3;
        var top = PayloadSerializer.Instance.Serialize((Func<int, int>)(x => x + k));
        var nested = PayloadSerializer.Instance.Serialize(new Job("j", x => x * k));
        var mvid = typeof(DelegateShippingTests).Module.ModuleVersionId;

        Assert.Throws<FunctionResolutionException>(() => PayloadSerializer.Instance.Deserialize(ReplaceGuid(top, mvid, Guid.NewGuid())));
        var e = Assert.Throws<FunctionResolutionException>(() => PayloadSerializer.Instance.Deserialize(ReplaceGuid(nested, mvid, Guid.NewGuid())));
        Assert.Contains("different build", e.Message);
    }

    [Fact]
    public void Missing_assembly_is_reported_by_name()
    {
        var descriptor = DelegateDescriptor.Describe((Func<int, int>)ShippableFunctions.Square) with
        {
            AssemblyName = "No.Such.Assembly, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null",
            AssemblyLocation = "/nowhere/No.Such.Assembly.dll",
        };
        var e = Assert.Throws<FunctionResolutionException>(() => descriptor.Resolve());
        Assert.Contains("No.Such.Assembly", e.Message);
    }

    [Fact]
    public void Multicast_delegate_is_rejected_at_serialization()
    {
        Action<int> first = _ => { };
        Action<int> both = first + (_ => { });
        var e = Assert.Throws<TaskSerializationException>(() => PayloadSerializer.Instance.Serialize(both));
        Assert.Contains("multicast", e.Message);
    }

    [Fact]
    public void Dynamic_method_is_rejected_at_serialization()
    {
        var x = Expression.Parameter(typeof(int));
        var compiled = Expression.Lambda<Func<int, int>>(Expression.Add(x, Expression.Constant(1)), x).Compile();
        var e = Assert.Throws<TaskSerializationException>(() => PayloadSerializer.Instance.Serialize(compiled));
        Assert.Contains("dynamic method", e.Message);
    }

    private static byte[] ReplaceGuid(byte[] bytes, Guid from, Guid to)
    {
        var pattern = from.ToByteArray();
        var replacement = to.ToByteArray();
        var copy = (byte[])bytes.Clone();
        var replaced = 0;
        for (var i = 0; i <= copy.Length - pattern.Length; i++)
        {
            if (copy.AsSpan(i, pattern.Length).SequenceEqual(pattern))
            {
                replacement.CopyTo(copy, i);
                replaced++;
            }
        }
        Assert.True(replaced > 0, "the payload should carry the module version id");
        return copy;
    }
}
