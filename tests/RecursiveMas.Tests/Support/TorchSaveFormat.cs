using System.Buffers.Binary;
using System.Text;
using static TorchSharp.torch;

namespace RecursiveMas.Tests.Support;

/// <summary>
/// Writes a state dict byte by byte the way <c>torch.save(module.state_dict(), path)</c> does in
/// PyTorch 2.x (default zip serialization, pickle protocol 2), without Python:
/// <list type="bullet">
/// <item><c>data.pkl</c> is what CPython's pickler emits for a <c>collections.OrderedDict</c> state
/// dict: <c>OrderedDict</c> REDUCE, the items in SETITEMS, each value
/// <c>torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())</c> with
/// the storage as a persistent id <c>('storage', torch.XStorage, key, 'cpu', numel)</c>, then BUILD
/// with the <c>{'_metadata': OrderedDict(prefix → {'version': 1})}</c> state; memo puts and gets as
/// CPython places them (checked against CPython's own pickler with stand-in torch classes).</item>
/// <item>The records, under one folder (<c>archive/</c> by default): <c>data.pkl</c>,
/// <c>.format_version</c>, <c>.storage_alignment</c>, <c>byteorder</c>, <c>data/0…</c>,
/// <c>version</c> ("3\n"), <c>.data/serialization_id</c>; all stored (not deflated), each payload
/// 64-byte aligned by an "FB" extra field of 'Z' bytes in its local header, DOS time and date 0,
/// and a zip64 end-of-central-directory record and locator before the classic one, as PyTorch's
/// miniz writer produces.</item>
/// </list>
/// PyBridge's own saver differs from this (folder <c>model/</c>, deflated entries without padding,
/// a plain dict at the top, no byteorder or metadata), which is why the import is tested on both.
/// </summary>
public static class TorchSaveFormat
{
    /// <summary>Writes <paramref name="stateDict"/> (in order) as torch.save does.</summary>
    /// <param name="modulePrefixes">Keys of <c>_metadata</c>: "" and every submodule, in registration order.</param>
    /// <param name="views">Entries stored as a view into a larger 1-D storage at an offset (as a sliced or tied weight is).</param>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Value)> stateDict,
        IReadOnlyList<string> modulePrefixes, string archiveName = "archive",
        IReadOnlyDictionary<string, (Tensor Storage, long Offset)>? views = null)
    {
        var records = new List<(string Name, byte[] Data)>
        {
            ("data.pkl", DataPickle(stateDict, modulePrefixes, views)),
            (".format_version", "1"u8.ToArray()),
            (".storage_alignment", "64"u8.ToArray()),
            ("byteorder", "little"u8.ToArray()),
        };
        for (int i = 0; i < stateDict.Count; i++)
        {
            using var t = views is not null && views.TryGetValue(stateDict[i].Name, out var view)
                ? view.Storage.contiguous() : stateDict[i].Value.contiguous();
            records.Add(($"data/{i}", t.bytes.ToArray()));
        }
        records.Add(("version", "3\n"u8.ToArray()));
        records.Add((".data/serialization_id", Encoding.ASCII.GetBytes("1234567890123456789012345678901234567890")));
        File.WriteAllBytes(path, Zip(records.Select(r => ($"{archiveName}/{r.Name}", r.Data)).ToList()));
    }

    /// <summary>The first bytes of a legacy (pre-1.6, <c>_use_new_zipfile_serialization=False</c>) file: the magic-number pickle, the protocol version and sys_info.</summary>
    public static byte[] LegacyHeader()
    {
        var p = new MemoryStream();
        // pickle.dump(0x1950a86a20f9469cfc6c, f, protocol=2): PROTO 2, LONG1 of 10 bytes, STOP.
        p.Write([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, (byte)'.']);
        // pickle.dump(1001, f, protocol=2): PROTO 2, BININT2 1001, STOP.
        p.Write([0x80, 0x02, (byte)'M', 0xe9, 0x03, (byte)'.']);
        p.Write([0x80, 0x02, (byte)'}', (byte)'q', 0x00, (byte)'.']); // sys_info (an empty dict here)
        return p.ToArray();
    }

    /// <summary>The <c>data.pkl</c> bytes for a state dict, as CPython's pickler (protocol 2) writes them from torch.save.</summary>
    public static byte[] DataPickle(IReadOnlyList<(string Name, Tensor Value)> stateDict, IReadOnlyList<string> modulePrefixes,
        IReadOnlyDictionary<string, (Tensor Storage, long Offset)>? views = null)
    {
        var w = new PickleWriter();
        w.Op(0x80);
        w.Op(2);                                      // PROTO 2
        w.Global("collections", "OrderedDict");
        w.Op(')');
        w.Op('R');
        w.Put();
        w.BatchSetItems(stateDict.Count, i =>
        {
            var (name, t) = stateDict[i];
            var (storage, offset) = views is not null && views.TryGetValue(name, out var view) ? view : (t, 0L);
            w.Str(name);
            w.Global("torch._utils", "_rebuild_tensor_v2");
            w.Op('(');                                            // args: a 6-tuple
            w.Op('(');                                            // persistent id: a 5-tuple
            w.Str("storage");
            w.Global("torch", StorageName(t.dtype));
            w.Str(i.ToString(System.Globalization.CultureInfo.InvariantCulture), memoByValue: false);
            w.Str("cpu");
            w.Int(storage.numel());
            w.Op('t');
            w.Put();
            w.Op('Q');                                            // BINPERSID
            w.Int(offset);                                        // storage_offset
            w.SmallTuple(t.shape);
            w.SmallTuple(t.stride());
            w.Op(0x89);                                           // requires_grad: NEWFALSE
            w.Global("collections", "OrderedDict");
            w.Op(')');
            w.Op('R');
            w.Put(); // backward_hooks
            w.Op('t');
            w.Put();
            w.Op('R');
            w.Put();
        });
        // BUILD state: {'_metadata': OrderedDict((prefix, {'version': 1}) ...)}
        w.Op('}');
        w.Put();
        w.Str("_metadata");
        w.Global("collections", "OrderedDict");
        w.Op(')');
        w.Op('R');
        w.Put();
        w.BatchSetItems(modulePrefixes.Count, i =>
        {
            w.Str(modulePrefixes[i]);
            w.Op('}');
            w.Put();
            w.Str("version");
            w.Int(1);
            w.Op('s');                                            // SETITEM
        });
        w.Op('s');
        w.Op('b');                                                // BUILD
        w.Op('.');                                                // STOP
        return w.ToArray();
    }

    static string StorageName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "FloatStorage",
        ScalarType.BFloat16 => "BFloat16Storage",
        ScalarType.Float16 => "HalfStorage",
        ScalarType.Float64 => "DoubleStorage",
        ScalarType.Int64 => "LongStorage",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>A protocol-2 pickle writer with CPython's memo placement (strings and globals put once, got afterwards).</summary>
    sealed class PickleWriter
    {
        readonly MemoryStream _out = new();
        readonly Dictionary<string, int> _memo = new(StringComparer.Ordinal);
        int _next;

        public byte[] ToArray() => _out.ToArray();

        public void Op(int code) => _out.WriteByte((byte)code);

        void Raw(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

        /// <summary>BINPUT / LONG_BINPUT of the next memo slot.</summary>
        public int Put()
        {
            int slot = _next++;
            if (slot < 256)
            { Op('q'); Op(slot); }
            else
            { Op('r'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, slot); Raw(b); }
            return slot;
        }

        void Get(int slot)
        {
            if (slot < 256)
            { Op('h'); Op(slot); }
            else
            { Op('j'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, slot); Raw(b); }
        }

        bool TryGet(string key)
        {
            if (!_memo.TryGetValue(key, out int slot))
                return false;
            Get(slot);
            return true;
        }

        /// <summary>BINUNICODE; a string CPython would hold as one object ('storage', 'cpu', 'version') is memoized by value.</summary>
        public void Str(string s, bool memoByValue = true)
        {
            if (memoByValue && TryGet("s:" + s))
                return;
            var bytes = Encoding.UTF8.GetBytes(s);
            Op('X');
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(len, bytes.Length);
            Raw(len);
            Raw(bytes);
            int slot = Put();
            if (memoByValue)
                _memo["s:" + s] = slot;
        }

        public void Global(string module, string name)
        {
            if (TryGet($"g:{module}.{name}"))
                return;
            Op('c');
            Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
            _memo[$"g:{module}.{name}"] = Put();
        }

        /// <summary>BININT1 / BININT2 / BININT as CPython's save_long picks them.</summary>
        public void Int(long v)
        {
            if (v is >= 0 and <= 0xff)
            { Op('K'); Op((int)v); }
            else if (v is >= 0 and <= 0xffff)
            { Op('M'); Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); Raw(b); }
            else if (v is >= int.MinValue and <= int.MaxValue)
            { Op('J'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, (int)v); Raw(b); }
            else
                throw new ArgumentOutOfRangeException(nameof(v), "LONG1 not needed here");
        }

        /// <summary>A size or stride tuple: EMPTY_TUPLE, or TUPLE1/2/3 then a memo put.</summary>
        public void SmallTuple(long[] items)
        {
            if (items.Length == 0)
            { Op(')'); return; }
            if (items.Length > 3)
                throw new ArgumentOutOfRangeException(nameof(items));
            foreach (var i in items)
                Int(i);
            Op(0x84 + items.Length);
            Put();
        }

        /// <summary>CPython's _batch_setitems: SETITEM for one pair, MARK … SETITEMS for more (batches of 1000).</summary>
        public void BatchSetItems(int count, Action<int> writePair)
        {
            for (int start = 0; start < count; start += 1000)
            {
                int n = Math.Min(1000, count - start);
                if (n > 1)
                    Op('(');
                for (int i = start; i < start + n; i++)
                    writePair(i);
                Op(n > 1 ? 'u' : 's');
            }
        }
    }

    /// <summary>A zip as PyTorch's miniz writer lays it out: stored, payloads 64-byte aligned, zip64 end records.</summary>
    static byte[] Zip(IReadOnlyList<(string Name, byte[] Data)> records)
    {
        var zip = new MemoryStream();
        var central = new MemoryStream();
        var bw = new BinaryWriter(zip);
        var cw = new BinaryWriter(central);
        foreach (var (name, data) in records)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            long offset = zip.Position;
            long start = offset + 30 + nameBytes.Length + 4; // local header + name + "FB" tag and size
            int padding = (int)((64 - start % 64) % 64);
            uint crc = Crc32(data);
            bw.Write(0x04034b50u);
            bw.Write((ushort)20);          // version needed
            bw.Write((ushort)0);           // flags
            bw.Write((ushort)0);           // method: stored
            bw.Write((ushort)0);           // DOS time
            bw.Write((ushort)0);           // DOS date
            bw.Write(crc);
            bw.Write((uint)data.Length);
            bw.Write((uint)data.Length);
            bw.Write((ushort)nameBytes.Length);
            bw.Write((ushort)(padding + 4));
            bw.Write(nameBytes);
            bw.Write((byte)'F');
            bw.Write((byte)'B');
            bw.Write((ushort)padding);
            for (int i = 0; i < padding; i++)
                bw.Write((byte)'Z');
            if (zip.Position % 64 != 0)
                throw new InvalidOperationException("misaligned record");
            bw.Write(data);

            cw.Write(0x02014b50u);
            cw.Write((ushort)(0x0300 | 20)); // made by: unix, 2.0
            cw.Write((ushort)20);
            cw.Write((ushort)0);
            cw.Write((ushort)0);
            cw.Write((ushort)0);
            cw.Write((ushort)0);
            cw.Write(crc);
            cw.Write((uint)data.Length);
            cw.Write((uint)data.Length);
            cw.Write((ushort)nameBytes.Length);
            cw.Write((ushort)0);            // extra
            cw.Write((ushort)0);            // comment
            cw.Write((ushort)0);            // disk
            cw.Write((ushort)0);            // internal attributes
            cw.Write(0u);                   // external attributes
            cw.Write((uint)offset);
            cw.Write(nameBytes);
        }
        long cdOffset = zip.Position;
        bw.Write(central.ToArray());
        long cdSize = central.Length;
        long zip64Eocd = zip.Position;
        bw.Write(0x06064b50u);              // zip64 end of central directory record
        bw.Write(44L);
        bw.Write((ushort)(0x0300 | 45));
        bw.Write((ushort)45);
        bw.Write(0u);
        bw.Write(0u);
        bw.Write((long)records.Count);
        bw.Write((long)records.Count);
        bw.Write(cdSize);
        bw.Write(cdOffset);
        bw.Write(0x07064b50u);              // zip64 end of central directory locator
        bw.Write(0u);
        bw.Write(zip64Eocd);
        bw.Write(1u);
        bw.Write(0x06054b50u);              // end of central directory
        bw.Write((ushort)0);
        bw.Write((ushort)0);
        bw.Write((ushort)records.Count);
        bw.Write((ushort)records.Count);
        bw.Write((uint)cdSize);
        bw.Write((uint)cdOffset);
        bw.Write((ushort)0);
        bw.Flush();
        return zip.ToArray();
    }

    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    static uint Crc32(byte[] data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data)
            c = CrcTable[(c ^ b) & 0xff] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
