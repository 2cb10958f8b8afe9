using PoolCluster.Child.Tasks;
using PoolCluster.Tests.Support;
using PoolCluster.WireFormat.Functions;
using PoolCluster.WireFormat.Values;

namespace PoolCluster.Tests.Serialization;

/// <summary>
/// Functions that capture nothing travel in the short form a child reads without Hyperion (which would first build its
/// serializers with expression trees: most of a fresh child's CPU); closures keep Hyperion's form.
/// </summary>
public sealed class FunctionBodyCodecTests
{
    private static long Twice(long x) => 2 * x;

    [Fact]
    public void A_static_method_and_a_field_less_lambda_take_the_short_form_and_work_after_the_round_trip()
    {
        foreach (Func<long, long> function in new Func<long, long>[] { Twice, x => x + 1 })
        {
            var bytes = FunctionShipCheck.SerializeFunctionBody(new MapBody<long, long>(function));
            Assert.Equal(FunctionBodyCodec.Tag, bytes[0]);
            Assert.Equal(function(20), Wire.FromBytes<MapBody<long, long>>(bytes).Function(20));
        }
    }

    [Fact]
    public void An_async_function_over_core_library_types_takes_the_short_form()
    {
        Func<string, CancellationToken, Task<int[]>> function = (s, _) => Task.FromResult(new[] { s.Length });
        var bytes = FunctionShipCheck.SerializeFunctionBody(new AsyncMapBody<string, int[]>(function));
        Assert.Equal(FunctionBodyCodec.Tag, bytes[0]);
        Assert.IsType<AsyncMapBody<string, int[]>>(Wire.FromBytes<object>(bytes));
    }

    [Fact]
    public void Adapters_around_a_capture_free_function_take_the_short_form()
    {
        var thunk = new Adapters.Thunk<int>(() => 7);
        var bytes = FunctionShipCheck.SerializeFunctionBody(new MapBody<Adapters.NoArg, int>(thunk.Invoke));
        Assert.Equal(FunctionBodyCodec.Tag, bytes[0]);
        Assert.Equal(7, Wire.FromBytes<MapBody<Adapters.NoArg, int>>(bytes).Function(default));

        var star = new Adapters.Star2<long, string, string>(Join);
        bytes = FunctionShipCheck.SerializeFunctionBody(new MapBody<(long, string), string>(star.Invoke));
        Assert.Equal(FunctionBodyCodec.Tag, bytes[0]);
        Assert.Equal("3:x", Wire.FromBytes<MapBody<(long, string), string>>(bytes).Function((3, "x")));
    }

    private static string Join(long n, string s) => $"{n}:{s}";

    [Fact]
    public void Closures_stay_with_Hyperion_bare_or_inside_an_adapter()
    {
        var offset = Random.Shared.Next(1, 10);
        var closure = FunctionShipCheck.SerializeFunctionBody(new MapBody<long, long>(x => x + offset));
        Assert.NotEqual(FunctionBodyCodec.Tag, closure[0]);
        Assert.Equal(20 + offset, Wire.FromBytes<MapBody<long, long>>(closure).Function(20));

        var thunk = new Adapters.Thunk<int>(() => offset);
        var adapted = FunctionShipCheck.SerializeFunctionBody(new MapBody<Adapters.NoArg, int>(thunk.Invoke));
        Assert.NotEqual(FunctionBodyCodec.Tag, adapted[0]);
        Assert.Equal(offset, Wire.FromBytes<MapBody<Adapters.NoArg, int>>(adapted).Function(default));
    }

    [Fact]
    public void A_child_runs_a_short_form_function_without_loading_expression_trees()
    {
        using var pool = new WorkerPool(1);
        // The child's own view: Hyperion's compiled serializers would have loaded System.Linq.Expressions.
        var loaded = pool.MapAsync<int, bool>(TestFunctions.LoadedExpressionTrees, [0], 1).Get(TimeSpan.FromSeconds(60));
        Assert.Equal([false], loaded);
        // Apply goes through an adapter (a thunk): still the short form.
        Assert.False(pool.ApplyAsync(TestFunctions.NoExpressionTreesYet).Get(TimeSpan.FromSeconds(60)));
    }
}
