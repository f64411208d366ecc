using System.Buffers.Binary;
using System.Text;

namespace KerasPS.Engine.Checkpoints;

/// <summary>
/// Walks an HDF5 file's structure before PureHDF opens it, so that a damaged or hostile file is refused as
/// <c>InvalidCheckpoint</c> instead of overflowing the stack, looping or allocating without end inside PureHDF (which
/// trusts every address, size and link). It reads the subset of HDF5 that Keras, h5py and PureHDF write: superblock
/// versions 0 to 3, object headers v1 and v2 with their continuation blocks, symbol-table groups (v1 B-trees, symbol
/// nodes, local heaps) and link-message groups, datasets with compact, contiguous or chunked (v1 B-tree, unfiltered)
/// storage, and attributes of fixed-point, float, string, enum and variable-length string types (global heaps).
/// Every address and length is checked against the file's size, every B-tree level must fall by one per step and no
/// node, object or header block may be reached twice by a walk that could loop; soft and external links, shared
/// messages, dense link or attribute storage, filters and external data files are refused (Keras does not write them).
/// The bytes it reads are bounded by a budget of a few times the file's size.
/// </summary>
internal sealed class H5Guard
{
    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];
    private const int MaxGroupDepth = 64;
    private const int MaxBTreeLevel = 32;
    private const int MaxHeaderBlocks = 4096;
    private const int MaxRank = 32;
    private const int MaxTypeDepth = 4;

    private readonly Stream stream;
    private readonly long size;
    private readonly string path;
    private readonly long budget;
    private long spent;
    private int offsetSize = 8, lengthSize = 8;
    private long baseAddress;
    private readonly HashSet<long> objects = [];
    private readonly HashSet<long> nodes = [];
    private readonly HashSet<long> headerBlocks = [];
    private readonly HashSet<(long, long)> symbolTables = [];
    private readonly Dictionary<long, Dictionary<int, long>> globalHeaps = [];

    private H5Guard(Stream stream, string path)
    {
        this.stream = stream;
        size = stream.Length;
        this.path = path;
        budget = 8 * size + (16L << 20);
    }

    /// <summary>Checks the file in <paramref name="stream"/> (seekable, from its start); throws <c>InvalidCheckpoint</c>.</summary>
    public static void Check(Stream stream, string path)
    {
        new H5Guard(stream, path).Run();
        stream.Position = 0;
    }

    private KerasException Bad(string what) =>
        Checkpoint.Invalid($"'{path}' is a damaged or unsupported HDF5 file: {what}.");

    private byte[] Read(long at, long length, string what)
    {
        if (at < 0 || length < 0 || at > size || length > size - at)
            throw Bad($"its {what} at byte {at} ({length} bytes) lies outside the file's {size} bytes");
        spent += length + 64;
        if (spent > budget) throw Bad("its structure takes more reading than a file of its size can hold");
        var bytes = new byte[length];
        stream.Position = at;
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A forward reader over one structure's bytes; reading past its end is a damaged structure.</summary>
    private sealed class Cursor(H5Guard g, byte[] b, string what, int start = 0, int end = -1)
    {
        public int Pos = start;
        public readonly int End = end < 0 ? b.Length : end;
        public byte[] Bytes => b;
        public int Left => End - Pos;

        public ReadOnlySpan<byte> Take(long n)
        {
            if (n < 0 || n > End - Pos) throw g.Bad($"its {what} is cut short");
            var s = b.AsSpan(Pos, (int)n);
            Pos += (int)n;
            return s;
        }

        public int U8() => Take(1)[0];
        public int U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
        public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
        public void Skip(long n) => Take(n);

        public ulong Sized(int n) => n switch
        {
            1 => (ulong)U8(),
            2 => (ulong)U16(),
            4 => U32(),
            8 => U64(),
            _ => throw g.Bad($"its {what} uses a {n}-byte field"),
        };

        /// <summary>A file address (relative to the base address); -1 when undefined.</summary>
        public long Address(string of)
        {
            ulong raw = Sized(g.offsetSize);
            if (raw == (g.offsetSize == 8 ? ulong.MaxValue : (1UL << (8 * g.offsetSize)) - 1)) return -1;
            if (raw >= (ulong)g.size || (long)raw + g.baseAddress >= g.size)
                throw g.Bad($"the {of} address in its {what} ({raw}) lies beyond the file's {g.size} bytes");
            return (long)raw + g.baseAddress;
        }

        /// <summary>A length, at most the file's size.</summary>
        public long Length(string of)
        {
            ulong raw = Sized(g.lengthSize);
            if (raw > (ulong)g.size) throw g.Bad($"the {of} in its {what} ({raw} bytes) is larger than the file");
            return (long)raw;
        }

        public void Expect(ReadOnlySpan<byte> sig)
        {
            if (!Take(sig.Length).SequenceEqual(sig)) throw g.Bad($"its {what} has no '{Encoding.ASCII.GetString(sig)}' signature");
        }
    }

    private void Run()
    {
        long at = -1;
        for (long p = 0; p + Signature.Length <= size && p <= (1L << 40); p = p == 0 ? 512 : p * 2)
        {
            if (Read(p, Signature.Length, "signature").AsSpan().SequenceEqual(Signature)) { at = p; break; }
        }
        if (at < 0) throw Bad("it has no HDF5 signature");
        var head = Read(at, Math.Min(size - at, 256), "superblock");
        var c = new Cursor(this, head, "superblock", 8);
        int version = c.U8();
        long root;
        if (version is 0 or 1)
        {
            c.Skip(4);                                             // free-space, root group and shared header versions
            offsetSize = c.U8();
            lengthSize = c.U8();
            CheckSizes();
            c.Skip(1);
            if (c.U16() == 0 || c.U16() == 0) throw Bad("its superblock gives a B-tree rank of 0");
            c.Skip(4);                                             // consistency flags
            if (version == 1) c.Skip(4);
            baseAddress = (long)c.Sized(offsetSize);
            if (baseAddress < 0 || baseAddress >= size) throw Bad("its base address lies beyond the file");
            c.Address("free-space");
            c.Sized(offsetSize);                                   // end of file (may be past a truncated copy's end)
            if (c.Address("driver information") >= 0) throw Bad("it names a file driver");
            root = RootEntry(c);
        }
        else if (version is 2 or 3)
        {
            offsetSize = c.U8();
            lengthSize = c.U8();
            CheckSizes();
            c.Skip(1);
            baseAddress = (long)c.Sized(offsetSize);
            if (baseAddress < 0 || baseAddress >= size) throw Bad("its base address lies beyond the file");
            long extension = c.Address("superblock extension");
            c.Sized(offsetSize);
            root = c.Address("root group");
            if (extension >= 0) Header(extension, "superblock extension");
        }
        else throw Bad($"its superblock version {version} is not one KerasPS reads (0 to 3)");
        if (root < 0) throw Bad("it has no root group");
        Object(root, 0, "/");
    }

    private void CheckSizes()
    {
        if (offsetSize is not (2 or 4 or 8) || lengthSize is not (2 or 4 or 8))
            throw Bad($"its superblock gives {offsetSize}-byte addresses and {lengthSize}-byte lengths");
    }

    /// <summary>The root group's symbol-table entry of a version 0 or 1 superblock: its object header's address.</summary>
    private long RootEntry(Cursor c)
    {
        var (address, btree, heap) = SymbolEntry(c);
        if (btree >= 0) SymbolTable(btree, heap, 1, "/");
        return address;
    }

    /// <summary>One symbol-table entry: the object's address, and the group B-tree and heap its scratch pad caches.</summary>
    private (long Address, long BTree, long Heap) SymbolEntry(Cursor c)
    {
        c.Sized(offsetSize);                                       // link name offset, checked by the caller
        long address = c.Address("object header");
        uint cache = c.U32();
        c.Skip(4);
        int scratch = c.Pos;
        long btree = -1, heap = -1;
        if (cache == 1) { btree = c.Address("cached B-tree"); heap = c.Address("cached heap"); }
        else if (cache == 2) throw Bad("it holds a soft link; Keras files use only hard links");
        else if (cache != 0) throw Bad($"a symbol-table entry has cache type {cache}");
        c.Pos = scratch;
        c.Skip(16);
        if (address < 0) throw Bad("a symbol-table entry has no object");
        if (cache == 1 && (btree < 0 || heap < 0)) throw Bad("a symbol-table entry caches an undefined group");
        return (address, btree, heap);
    }

    private sealed record Message(int Type, int Flags, Cursor Data);

    /// <summary>Reads every message of the object header at <paramref name="at"/>, following continuation blocks.</summary>
    private List<Message> Header(long at, string name)
    {
        var messages = new List<Message>();
        var first = Read(at, Math.Min(16, size - at), $"object header of '{name}'");
        var blocks = new Queue<(long At, long Length, bool First)>();
        bool v2 = first.AsSpan().StartsWith("OHDR"u8);
        int expected = -1, flags = 0;
        var what = $"object header of '{name}'";
        if (v2)
        {
            var p = new Cursor(this, Read(at, Math.Min(size - at, 40), what), what, 4);
            if (p.U8() != 2) throw Bad($"the {what} has an unknown version");
            flags = p.U8();
            if ((flags & 0x20) != 0) p.Skip(16);
            if ((flags & 0x10) != 0) p.Skip(4);
            long length = (long)p.Sized(1 << (flags & 3));
            BlockStart(at + p.Pos, length + 4, name);
            blocks.Enqueue((at + p.Pos, length, true));
        }
        else
        {
            var p = new Cursor(this, first, what);
            if (p.U8() != 1) throw Bad($"the {what} has an unknown version");
            p.Skip(1);
            expected = p.U16();
            p.Skip(4);
            long length = p.U32();
            BlockStart(at + 16, length, name);
            blocks.Enqueue((at + 16, length, true));
        }
        while (blocks.Count > 0)
        {
            var (blockAt, blockLength, isFirst) = blocks.Dequeue();
            byte[] bytes;
            Cursor c;
            if (!v2) c = new Cursor(this, bytes = Read(blockAt, blockLength, what), what);
            else if (isFirst) c = new Cursor(this, bytes = Read(blockAt, blockLength + 4, what), what, 0, (int)blockLength);
            else
            {
                bytes = Read(blockAt, blockLength, what);
                c = new Cursor(this, bytes, what, 0, (int)Math.Max(0, blockLength - 4));
                c.Expect("OCHK"u8);
            }
            int headerSize = v2 ? ((flags & 0x04) != 0 ? 6 : 4) : 8;
            while (c.Left >= headerSize)
            {
                int type = v2 ? c.U8() : c.U16();
                int length = c.U16();
                int mflags = c.U8();
                c.Skip(v2 ? headerSize - 4 : 3);
                if (!v2 && length % 8 != 0) throw Bad($"a message in the {what} is not 8-byte aligned");
                int start = c.Pos;
                c.Skip(length);
                var m = new Message(type, mflags, new Cursor(this, bytes, $"message {type} of '{name}'", start, start + length));
                messages.Add(m);
                if (type == 0x10)
                {
                    long next = m.Data.Address("continuation");
                    long nextLength = m.Data.Length("continuation length");
                    if (next < 0) throw Bad($"the {what} continues at an undefined address");
                    BlockStart(next, nextLength, name);
                    blocks.Enqueue((next, nextLength, false));
                }
            }
            if (!v2 && c.Left != 0) throw Bad($"the {what} ends inside a message");
        }
        if (!v2 && messages.Count != expected)
            throw Bad($"the {what} says it has {expected} messages but holds {messages.Count}");
        return messages;
    }

    private void BlockStart(long at, long length, string name)
    {
        if (length < 0 || length > (1L << 31) || at < 0 || at > size || length > size - at)
            throw Bad($"a block of the object header of '{name}' ({length} bytes at {at}) lies outside the file");
        if (!headerBlocks.Add(at)) throw Bad($"the object header of '{name}' continues into a block already read (a loop)");
        if (headerBlocks.Count > MaxHeaderBlocks) throw Bad("it has more object header blocks than KerasPS reads");
    }

    /// <summary>Checks one object (group or dataset) and everything it links to.</summary>
    private void Object(long at, int depth, string name)
    {
        if (depth > MaxGroupDepth) throw Bad($"its groups nest deeper than {MaxGroupDepth} levels at '{name}'");
        if (!objects.Add(at)) return;
        var messages = Header(at, name);
        (ulong[] Dims, bool Null)? space = null;
        (int Class, long Size)? type = null;
        Message? layout = null;
        foreach (var m in messages)
        {
            if ((m.Flags & 0x02) != 0) throw Bad($"'{name}' uses a shared message; Keras files do not");
            var d = m.Data;
            switch (m.Type)
            {
                case 0x01: space = Dataspace(d); break;
                case 0x02: LinkInfo(d, name); break;
                case 0x03: type = Datatype(d, 0, dataset: true); break;
                case 0x04: d.Skip(d.U32()); break;
                case 0x05: FillValue(d); break;
                case 0x06: Link(d, depth, name); break;
                case 0x07: throw Bad($"'{name}' keeps its data in an external file");
                case 0x08: layout = m; break;
                case 0x0B: throw Bad($"'{name}' is compressed or filtered; Keras writes its weights unfiltered");
                case 0x0C: Attribute(d, name); break;
                case 0x0F: throw Bad("it uses shared object header messages; Keras files do not");
                case 0x11:
                    long btree = d.Address("group B-tree"), heap = d.Address("local heap");
                    if (btree < 0 || heap < 0) throw Bad($"the group '{name}' has an undefined symbol table");
                    SymbolTable(btree, heap, depth + 1, name);
                    break;
                case 0x15: AttributeInfo(d, name); break;
                default: break;
            }
        }
        if (layout is not null)
        {
            if (space is null || type is null) throw Bad($"the dataset '{name}' has no dataspace or datatype");
            Layout(layout.Data, space.Value.Dims, type.Value.Size, name);
        }
    }

    private (ulong[] Dims, bool Null) Dataspace(Cursor d)
    {
        int version = d.U8();
        int rank = d.U8();
        int flags = d.U8();
        bool isNull = false;
        if (version == 1) d.Skip(5);
        else if (version == 2) isNull = d.U8() == 2;
        else throw Bad($"a dataspace has version {version}");
        if (rank > MaxRank) throw Bad($"a dataspace has rank {rank}");
        var dims = new ulong[rank];
        for (int i = 0; i < rank; i++) dims[i] = d.Sized(lengthSize);
        if ((flags & 1) != 0) d.Skip((long)rank * lengthSize);
        return (dims, isNull);
    }

    /// <summary>The number of elements of <paramref name="dims"/>, refused when beyond what the file could hold.</summary>
    private long Elements(ulong[] dims, long elementSize)
    {
        ulong n = 1;
        foreach (var x in dims)
        {
            if (x == 0) return 0;
            if (x > (ulong)size * 8 || n > (ulong)size * 8 / x) throw Bad("a dataspace has more elements than the file could hold");
            n *= x;
        }
        if (elementSize > 0 && n > (ulong)(size * 8 / Math.Max(1, elementSize)))
            throw Bad("a dataspace has more elements than the file could hold");
        return (long)n;
    }

    /// <summary>A datatype's class and element size; only the classes Keras files use.</summary>
    private (int Class, long Size) Datatype(Cursor d, int depth, bool dataset)
    {
        if (depth > MaxTypeDepth) throw Bad("a datatype nests too deeply");
        int classVersion = d.U8();
        int cls = classVersion & 0x0f, version = classVersion >> 4;
        if (version is < 1 or > 4) throw Bad($"a datatype has version {version}");
        int bits = d.U8() | (d.U8() << 8) | (d.U8() << 16);
        long elementSize = d.U32();
        if (elementSize == 0 || elementSize > (1 << 20)) throw Bad($"a datatype has {elementSize}-byte elements");
        switch (cls)
        {
            case 0: d.Skip(4); if (elementSize > 8) throw Bad("an integer type is wider than 8 bytes"); break;
            case 1: d.Skip(12); if (elementSize is not (2 or 4 or 8)) throw Bad("a float type is not 2, 4 or 8 bytes"); break;
            case 3: break;
            case 8 when !dataset:
                var (baseClass, baseSize) = Datatype(d, depth + 1, dataset);
                if (baseClass != 0) throw Bad("an enum type is not based on an integer type");
                int members = bits & 0xffff;
                for (int i = 0; i < members; i++)
                {
                    int n = 0;
                    while (d.U8() != 0) n++;
                    if (version < 3) d.Skip((8 - (n + 1) % 8) % 8);
                }
                d.Skip(members * baseSize);
                break;
            case 9 when !dataset:
                if (elementSize != 4 + offsetSize + 4) throw Bad("a variable-length type has the wrong size");
                var (inner, _) = Datatype(d, depth + 1, dataset);
                if (inner is not (0 or 1 or 3)) throw Bad("a variable-length type holds a type Keras does not write");
                break;
            default: throw Bad($"it uses HDF5 datatype class {cls}, which Keras files do not");
        }
        return (cls, elementSize);
    }

    private void FillValue(Cursor d)
    {
        int version = d.U8();
        if (version is 1 or 2)
        {
            d.Skip(2);
            bool defined = d.U8() != 0;
            if (version == 1 || defined) d.Skip(d.U32());
        }
        else if (version == 3)
        {
            int flags = d.U8();
            if ((flags & 0x20) != 0) d.Skip(d.U32());
        }
        else throw Bad($"a fill value message has version {version}");
    }

    private void LinkInfo(Cursor d, string name)
    {
        if (d.U8() != 0) throw Bad($"the link info of '{name}' has an unknown version");
        int flags = d.U8();
        if ((flags & 1) != 0) d.Skip(8);
        if (d.Address("fractal heap") >= 0)
            throw Bad($"the group '{name}' keeps its links in dense storage, which KerasPS does not read");
        d.Address("name index");
        if ((flags & 2) != 0) d.Address("creation order index");
    }

    private void AttributeInfo(Cursor d, string name)
    {
        if (d.U8() != 0) throw Bad($"the attribute info of '{name}' has an unknown version");
        int flags = d.U8();
        if ((flags & 1) != 0) d.Skip(2);
        if (d.Address("fractal heap") >= 0)
            throw Bad($"'{name}' keeps its attributes in dense storage, which KerasPS does not read");
        d.Address("name index");
        if ((flags & 2) != 0) d.Address("creation order index");
    }

    private void Link(Cursor d, int depth, string parent)
    {
        if (d.U8() != 1) throw Bad($"a link in '{parent}' has an unknown version");
        int flags = d.U8();
        int linkType = (flags & 0x08) != 0 ? d.U8() : 0;
        if ((flags & 0x04) != 0) d.Skip(8);
        if ((flags & 0x10) != 0) d.Skip(1);
        long nameLength = (long)d.Sized(1 << (flags & 3));
        if (nameLength == 0) throw Bad($"a link in '{parent}' has an empty name");
        var name = Encoding.UTF8.GetString(d.Take(nameLength));
        var full = parent.TrimEnd('/') + "/" + name;
        if (linkType == 1) throw Bad($"'{full}' is a soft link; Keras files use only hard links");
        if (linkType == 64) throw Bad($"'{full}' is an external link; Keras files use only hard links");
        if (linkType != 0) throw Bad($"'{full}' is a link of unknown type {linkType}");
        long target = d.Address("link target");
        if (target < 0) throw Bad($"'{full}' links to an undefined address");
        Object(target, depth + 1, full);
    }

    /// <summary>A symbol-table group: its v1 B-tree of symbol nodes, their entries' names in the local heap.</summary>
    private void SymbolTable(long btree, long heap, int depth, string name)
    {
        if (depth > MaxGroupDepth) throw Bad($"its groups nest deeper than {MaxGroupDepth} levels at '{name}'");
        if (!symbolTables.Add((btree, heap))) return;
        var h = new Cursor(this, Read(heap, 8 + 2 * lengthSize + offsetSize, $"local heap of '{name}'"), $"local heap of '{name}'");
        h.Expect("HEAP"u8);
        if (h.U8() != 0) throw Bad($"the local heap of '{name}' has an unknown version");
        h.Skip(3);
        long dataSize = h.Length("data segment size");
        h.Sized(lengthSize);
        long dataAt = h.Address("data segment");
        if (dataAt < 0) throw Bad($"the local heap of '{name}' has no data segment");
        var names = Read(dataAt, dataSize, $"local heap data of '{name}'");
        var entries = new List<(long Address, long BTree, long Heap, string Name)>();
        BTree(btree, 0, name, 0, (key, child, _) =>
        {
            var node = new Cursor(this, Read(child, 8, $"symbol node of '{name}'"), $"symbol node of '{name}'");
            node.Expect("SNOD"u8);
            if (node.U8() != 1) throw Bad($"a symbol node of '{name}' has an unknown version");
            node.Skip(1);
            int count = node.U16();
            int entrySize = 2 * offsetSize + 24;
            var e = new Cursor(this, Read(child + 8, (long)count * entrySize, $"symbol node of '{name}'"), $"symbol node of '{name}'");
            for (int i = 0; i < count; i++)
            {
                int entryStart = e.Pos;
                ulong nameOffset = e.Sized(offsetSize);
                e.Pos = entryStart;
                var (address, cachedTree, cachedHeap) = SymbolEntry(e);
                if (nameOffset >= (ulong)names.Length) throw Bad($"a link name in '{name}' lies outside its heap");
                int end = Array.IndexOf(names, (byte)0, (int)nameOffset);
                if (end < 0 || end == (int)nameOffset) throw Bad($"a link name in '{name}' is empty or unterminated");
                entries.Add((address, cachedTree, cachedHeap, Encoding.UTF8.GetString(names, (int)nameOffset, end - (int)nameOffset)));
            }
        });
        foreach (var (address, cachedTree, cachedHeap, child) in entries)
        {
            var full = name.TrimEnd('/') + "/" + child;
            if (cachedTree >= 0) SymbolTable(cachedTree, cachedHeap, depth + 1, full);
            Object(address, depth, full);
        }
    }

    /// <summary>
    /// Walks a v1 B-tree (type 0 groups, type 1 chunks) and calls <paramref name="leaf"/> with each key's bytes and
    /// each child of a level-0 node. Levels fall by exactly one per step and no node is read twice.
    /// </summary>
    private void BTree(long root, int type, string name, int keySize, Action<Cursor, long, int> leaf)
    {
        var what = $"B-tree of '{name}'";
        var pending = new Stack<(long At, int Level)>();
        pending.Push((root, -1));
        int keyBytes = type == 0 ? lengthSize : keySize;
        while (pending.Count > 0)
        {
            var (at, expectedLevel) = pending.Pop();
            if (!nodes.Add(at)) throw Bad($"a node of the {what} is reached twice (a loop)");
            var h = new Cursor(this, Read(at, 8 + 2 * offsetSize, what), what);
            h.Expect("TREE"u8);
            if (h.U8() != type) throw Bad($"a node of the {what} has the wrong type");
            int level = h.U8();
            int entries = h.U16();
            if (level > MaxBTreeLevel || expectedLevel >= 0 && level != expectedLevel)
                throw Bad($"a node of the {what} is at level {level}, not {expectedLevel}");
            h.Address("left sibling");
            h.Address("right sibling");
            var body = new Cursor(this, Read(at + h.Pos, (long)(entries + 1) * keyBytes + (long)entries * offsetSize, what), what);
            for (int i = 0; i < entries; i++)
            {
                var key = new Cursor(this, body.Bytes, what, body.Pos, body.Pos + keyBytes);
                body.Skip(keyBytes);
                long child = body.Address("child");
                if (child < 0) throw Bad($"a node of the {what} has an undefined child");
                if (level > 0) pending.Push((child, level - 1));
                else leaf(key, child, i);
            }
        }
    }

    private void Layout(Cursor d, ulong[] dims, long elementSize, string name)
    {
        long count = Elements(dims, elementSize);
        long needed = count * elementSize;
        int version = d.U8();
        int cls;
        if (version is 1 or 2)
        {
            int dimensionality = d.U8();
            cls = d.U8();
            d.Skip(5);
            long address = cls == 0 ? -1 : d.Address("data");
            var chunk = new long[dimensionality];
            for (int i = 0; i < dimensionality; i++) chunk[i] = d.U32();
            if (cls == 0)
            {
                long compact = d.U32();
                if (compact < needed || compact > d.Left) throw Bad($"the dataset '{name}' is cut short");
            }
            else if (cls == 1) Contiguous(address, needed, needed, name);
            else if (cls == 2) { d.U32(); Chunked(address, dims, chunk, elementSize, count, name); }
            else throw Bad($"the dataset '{name}' has storage class {cls}");
            return;
        }
        if (version is not (3 or 4)) throw Bad($"the dataset '{name}' has layout version {version}");
        cls = d.U8();
        switch (cls)
        {
            case 0:
                long compact = d.U16();
                if (compact < needed || compact > d.Left) throw Bad($"the dataset '{name}' is cut short");
                break;
            case 1:
                long at = d.Address("data");
                Contiguous(at, d.Length("data size"), needed, name);
                break;
            case 2 when version == 3:
                int dimensionality = d.U8();
                long tree = d.Address("chunk B-tree");
                var chunk = new long[dimensionality];
                for (int i = 0; i < dimensionality; i++) chunk[i] = d.U32();
                Chunked(tree, dims, chunk, elementSize, count, name);
                break;
            default: throw Bad($"the dataset '{name}' uses a storage layout KerasPS does not read (class {cls}, version {version})");
        }
    }

    private void Contiguous(long at, long stored, long needed, string name)
    {
        if (needed == 0) return;
        if (at < 0) throw Bad($"the dataset '{name}' has no data");
        if (stored < needed) throw Bad($"the dataset '{name}' stores {stored} bytes but its shape needs {needed}");
        if (needed > size - at) throw Bad($"the dataset '{name}' runs past the end of the file");
    }

    private void Chunked(long tree, ulong[] dims, long[] chunk, long elementSize, long count, string name)
    {
        if (chunk.Length != dims.Length + 1 || chunk[^1] != elementSize)
            throw Bad($"the chunks of dataset '{name}' do not match its shape or type");
        long chunkBytes = elementSize;
        for (int i = 0; i < dims.Length; i++)
        {
            if (chunk[i] == 0 || chunk[i] > size || chunkBytes > size / chunk[i])
                throw Bad($"a chunk of dataset '{name}' is larger than the file");
            chunkBytes *= chunk[i];
        }
        if (count == 0) return;
        if (tree < 0) throw Bad($"the dataset '{name}' has no data");
        int keySize = 8 + 8 * chunk.Length;
        BTree(tree, 1, name, keySize, (key, child, _) =>
        {
            long stored = key.U32();
            if (key.U32() != 0) throw Bad($"a chunk of dataset '{name}' is filtered");
            for (int i = 0; i < chunk.Length; i++)
            {
                ulong offset = key.U64();
                bool ok = i < dims.Length ? offset < dims[i] && offset % (ulong)chunk[i] == 0 : offset == 0;
                if (!ok) throw Bad($"a chunk of dataset '{name}' lies outside its shape");
            }
            if (stored != chunkBytes || child > size - chunkBytes) throw Bad($"a chunk of dataset '{name}' lies outside the file");
        });
    }

    private void Attribute(Cursor d, string owner)
    {
        int version = d.U8();
        int flags = d.U8();
        int nameSize = d.U16(), typeSize = d.U16(), spaceSize = d.U16();
        if (version is < 1 or > 3) throw Bad($"an attribute of '{owner}' has version {version}");
        if (version >= 2 && (flags & 3) != 0) throw Bad($"an attribute of '{owner}' uses a shared type or space");
        if (version == 3) d.Skip(1);
        static int Pad(int n, int version) => version == 1 ? (n + 7) / 8 * 8 : n;
        int nameAt = d.Pos;
        d.Skip(Pad(nameSize, version));
        if (nameSize == 0 || d.Bytes[nameAt + nameSize - 1] != 0) throw Bad($"an attribute name of '{owner}' is not terminated");
        int typeAt = d.Pos;
        d.Skip(Pad(typeSize, version));
        var (cls, elementSize) = Datatype(new Cursor(this, d.Bytes, $"attribute type of '{owner}'", typeAt, typeAt + typeSize), 0, false);
        int spaceAt = d.Pos;
        d.Skip(Pad(spaceSize, version));
        var (dims, isNull) = Dataspace(new Cursor(this, d.Bytes, $"attribute space of '{owner}'", spaceAt, spaceAt + spaceSize));
        if (isNull) return;
        long count = Elements(dims, elementSize);
        if (count * elementSize > d.Left) throw Bad($"an attribute of '{owner}' holds less data than its shape needs");
        if (cls != 9) return;
        for (long i = 0; i < count; i++)
        {
            long length = d.U32();
            long collection = d.Address("global heap");
            int index = (int)d.U32();
            if (length == 0) continue;
            if (collection < 0) throw Bad($"a string of '{owner}' points to an undefined heap");
            if (!GlobalHeap(collection, owner).TryGetValue(index, out long stored) || stored < length)
                throw Bad($"a string of '{owner}' is not in its global heap");
        }
    }

    /// <summary>The objects of the global heap collection at <paramref name="at"/>: index to size.</summary>
    private Dictionary<int, long> GlobalHeap(long at, string owner)
    {
        if (globalHeaps.TryGetValue(at, out var known)) return known;
        var what = $"global heap of '{owner}'";
        var h = new Cursor(this, Read(at, 8 + lengthSize, what), what);
        h.Expect("GCOL"u8);
        if (h.U8() != 1) throw Bad($"the {what} has an unknown version");
        h.Skip(3);
        long length = h.Length("collection size");
        if (length < 8 + lengthSize) throw Bad($"the {what} is too small");
        var c = new Cursor(this, Read(at, length, what), what, 8 + lengthSize);
        var objectsInHeap = new Dictionary<int, long>();
        while (c.Left >= 8 + lengthSize)
        {
            int index = c.U16();
            c.Skip(6);
            long objectSize = c.Length("object size");
            if (index == 0) break;
            c.Skip(objectSize);
            c.Skip((8 - objectSize % 8) % 8 > c.Left ? c.Left : (8 - objectSize % 8) % 8);
            objectsInHeap[index] = objectSize;
        }
        globalHeaps[at] = objectsInHeap;
        return objectsInHeap;
    }
}
