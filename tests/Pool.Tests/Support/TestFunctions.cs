namespace PoolCluster.Tests.Support;

/// <summary>Functions the tests ship to child processes. Static, so every child resolves them from this assembly.</summary>
public static class TestFunctions
{
    public static int Square(int x) => x * x;

    public static int Pid() => Environment.ProcessId;

    public static bool LoadedExpressionTrees(int _) =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "System.Linq.Expressions");

    public static bool NoExpressionTreesYet() => LoadedExpressionTrees(0);

    public static int PidOf(int _) => Environment.ProcessId;

    public static int SleepThenPid(int ms) { Thread.Sleep(ms); return Environment.ProcessId; }

    /// <summary>An action (no result): it leaves its pid in a file, so the caller sees that it ran, and where.</summary>
    public static void WritePidTo(string path) => File.WriteAllText(path, Environment.ProcessId.ToString());

    public static int FailOn(int x) => x % 7 == 3 ? throw new CustomTaskException($"item {x} is bad") : x;

    public static int ThrowInvalid(int x) => throw new InvalidOperationException($"invalid {x}");

    public static int ExitProcess(int code) { Environment.Exit(code); return 0; }

    public static int Write(int x)
    {
        Console.WriteLine($"hello from the child, item {x}");
        Console.Error.WriteLine($"and on stderr, item {x}");
        return x;
    }

    // Set by the pool initializer in each child.
    public static int InitializedWith;
    public static int InitializerRuns;

    public static void Init(int value) { InitializedWith = value; InitializerRuns++; }

    public static int ReadInitialized(int _) => InitializedWith * 1000 + InitializerRuns;

    public static void FailingInit() => throw new ArgumentException("the initializer is broken on purpose");

    /// <summary>A compiled expression is a delegate to a dynamic method: it has no assembly to travel back to.</summary>
    public static Func<int> UnserializableResult() =>
        System.Linq.Expressions.Expression.Lambda<Func<int>>(System.Linq.Expressions.Expression.Constant(1)).Compile();
}

/// <summary>A user exception type the pool must rebuild in the caller with its own type and message.</summary>
public sealed class CustomTaskException(string message) : Exception(message);

/// <summary>Throws an exception whose type exists only in the child (emitted at run time, named
/// <c>Dynamic.UnbuildableException</c>): the caller cannot rebuild it, so it gets RemoteTaskException.</summary>
public static class UnbuildableException
{
    private static readonly Lazy<Type> ChildOnlyType = new(() =>
    {
        var assembly = System.Reflection.Emit.AssemblyBuilder.DefineDynamicAssembly(
            new System.Reflection.AssemblyName("ChildOnlyExceptions"), System.Reflection.Emit.AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("ChildOnlyExceptions").DefineType("Dynamic.UnbuildableException",
            System.Reflection.TypeAttributes.Public | System.Reflection.TypeAttributes.Sealed, typeof(Exception));
        var constructor = type.DefineConstructor(System.Reflection.MethodAttributes.Public, System.Reflection.CallingConventions.Standard, [typeof(string)]);
        var il = constructor.GetILGenerator();
        il.Emit(System.Reflection.Emit.OpCodes.Ldarg_0);
        il.Emit(System.Reflection.Emit.OpCodes.Ldarg_1);
        il.Emit(System.Reflection.Emit.OpCodes.Call, typeof(Exception).GetConstructor([typeof(string)])!);
        il.Emit(System.Reflection.Emit.OpCodes.Ret);
        return type.CreateType();
    });

    public static int Throw(int code) => throw (Exception)Activator.CreateInstance(ChildOnlyType.Value, $"code {code}")!;
}

/// <summary>Functions for the limit tests (time, memory, cancellation).</summary>
public static class LimitFunctions
{
    private static readonly List<byte[]> Hoard = [];

    /// <summary>Keeps <paramref name="megabytes"/> MB alive in the child (a leak) and returns its pid.</summary>
    public static int Leak(int megabytes)
    {
        var block = new byte[megabytes * 1024 * 1024];
        Array.Fill(block, (byte)1); // touch the pages so they count as resident
        Hoard.Add(block);
        return Environment.ProcessId;
    }

    /// <summary>Waits for the soft deadline, then reports how long it waited.</summary>
    public static long WaitForCancellation(int maxMs, CancellationToken token)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        token.WaitHandle.WaitOne(maxMs);
        return token.IsCancellationRequested ? clock.ElapsedMilliseconds : -1;
    }

    /// <summary>Kills its own child the first time it runs in a given directory marker, then succeeds.</summary>
    public static int DieOnceThenSucceed(string marker)
    {
        if (!File.Exists(marker))
        {
            File.WriteAllText(marker, "died");
            Environment.Exit(9);
        }
        return 7;
    }
}

/// <summary>Functions for the multi-process cluster tests: they report which node (parent process) ran them.</summary>
public static class NodeFunctions
{
    /// <summary>Sleeps, then returns item * 1000 and the pid of the process that started this child (its node).</summary>
    public static (int Value, int NodePid) SleepAndReportNode(int item)
    {
        Thread.Sleep(25);
        return (item * 1000, ParentPid());
    }

    public static int ParentPid() => PoolCluster.Child.ParentWatch.ParentOf("self") ?? 0;
}
