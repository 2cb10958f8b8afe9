using PoolCluster.Serialization;

namespace PoolCluster.Tasks;

/// <summary>The one door between pool code and the payload serializer, used by parent and child alike.</summary>
internal static class Wire
{
    public static byte[] ToBytes(object? value) => PayloadSerializer.Instance.Serialize(value);

    public static T FromBytes<T>(byte[] bytes) => (T)PayloadSerializer.Instance.Deserialize(bytes)!;
}
