using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PoolCluster.WireFormat.Messages;

namespace PoolCluster.WireFormat.Values;

/// <summary>
/// Arrays of fixed-size primitives as one block of raw little-endian element bytes: the one way both encoders of user
/// values write them — <see cref="FastPayload"/> for a whole chunk of items or results, and
/// <see cref="PrimitiveArraySerializerFactory"/> for an array anywhere inside a value Hyperion writes.
/// </summary>
internal static class PrimitiveBlocks
{
    private static readonly Dictionary<Type, int> ElementSizes = new()
    {
        [typeof(short)] = sizeof(short), [typeof(ushort)] = sizeof(ushort),
        [typeof(int)] = sizeof(int), [typeof(uint)] = sizeof(uint),
        [typeof(long)] = sizeof(long), [typeof(ulong)] = sizeof(ulong),
        [typeof(char)] = sizeof(char), [typeof(bool)] = sizeof(bool),
        [typeof(double)] = sizeof(double), [typeof(float)] = sizeof(float),
    };

    /// <summary>Whether arrays of <paramref name="elementType"/> are written as blocks by the Hyperion factory (only on
    /// little-endian machines, where the block is the array's memory as it is; <c>byte[]</c> is Hyperion's own single
    /// copy already).</summary>
    public static bool IsBlockElement(Type elementType) => BitConverter.IsLittleEndian && ElementSizes.ContainsKey(elementType);

    /// <summary>The array's elements as the bytes of its block, without a copy.</summary>
    public static ReadOnlySpan<byte> AsBytes(Array array) =>
        MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array),
            checked(array.Length * ElementSizes[array.GetType().GetElementType()!]));

    /// <summary>The elements as the bytes of their block, without a copy.</summary>
    public static ReadOnlySpan<byte> AsBytes<T>(T[] array) where T : unmanaged => MemoryMarshal.AsBytes(array.AsSpan());

    /// <summary>Reads <paramref name="count"/> elements from a block written by <see cref="AsBytes"/>.</summary>
    public static T[] Read<T>(ReadOnlySpan<byte> block, int count) where T : unmanaged
    {
        var result = new T[count];
        block.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    /// <summary>The block's size for <paramref name="count"/> elements of <typeparamref name="T"/>.</summary>
    public static int Size<T>(int count) where T : unmanaged => checked(count * Unsafe.SizeOf<T>());
}
