using System.Buffers.Binary;
using System.Text;

namespace KerasPS.Engine.Native;

/// <summary>
/// Marks one symbol-version requirement of a little-endian ELF64 shared library as weak (<c>VER_FLG_WEAK</c>, 0x2,
/// in the <c>vna_flags</c> of its <c>.gnu.version_r</c> auxiliary entry), so that the dynamic loader accepts a
/// libstdc++ that lacks that version instead of refusing the whole library.
/// </summary>
/// <remarks>
/// Why: TorchSharp 0.107's <c>libLibTorchSharp.so</c> asks for <c>GLIBCXX_3.4.32</c> (the libstdc++ of GCC 13) for a
/// single symbol, <c>std::ios_base_library_init()</c>, a link-time marker that GCC 13's &lt;iostream&gt; emits and
/// nothing calls at run time. Debian 12 and Ubuntu 22.04 ship libstdc++ up to <c>GLIBCXX_3.4.30</c>, so without this
/// the library does not load there and TorchSharp reports only a type-initializer exception. With the flag set the
/// loader skips that one version check; everything else is verified as before. Only a private copy of the library is
/// ever changed (Install-KerasRuntime's extracted file), never a file in the NuGet cache.
/// <see cref="RuntimeInstaller"/> applies it when it installs a runtime, and the build reaches it the same way: a built
/// clone's runtime is placed by Install-KerasRuntime (tools/BuildTools.ps1, Install-CloneRuntime).
/// </remarks>
public static class ElfVersionPatch
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The GLIBCXX version TorchSharp 0.107's bridge needs only for a link-time marker (see remarks).</summary>
    public const string TorchSharpGlibcxxVersion = "GLIBCXX_3.4.32";

    /// <summary>
    /// Sets the weak flag on every requirement of <paramref name="version"/> in the file, in place.
    /// Returns true when the file was changed, false when the version is not required or already weak.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a little-endian ELF64 file, or its tables are out of bounds.</exception>
    public static bool MarkVersionNeedWeak(string path, string version)
    {
        var bytes = File.ReadAllBytes(path);
        var offsets = FlagOffsets(bytes, version, path);
        var changed = false;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
        Span<byte> flags = stackalloc byte[2];
        foreach (var at in offsets)
        {
            var value = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at, 2));
            if ((value & VerFlgWeak) != 0) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(flags, (ushort)(value | VerFlgWeak));
            file.Position = at;
            file.Write(flags);
            changed = true;
        }
        if (changed) file.Flush(flushToDisk: true);
        return changed;
    }

    /// <summary>
    /// Whether the file requires <paramref name="version"/>, and whether every such requirement is weak:
    /// null when it is not required at all.
    /// </summary>
    public static bool? IsVersionNeedWeak(string path, string version)
    {
        var bytes = File.ReadAllBytes(path);
        var offsets = FlagOffsets(bytes, version, path);
        if (offsets.Count == 0) return null;
        return offsets.All(at => (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at, 2)) & VerFlgWeak) != 0);
    }

    /// <summary>File offsets of the vna_flags fields of the Vernaux entries named <paramref name="version"/>.</summary>
    private static List<int> FlagOffsets(byte[] bytes, string version, string path)
    {
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            throw new InvalidDataException($"Not an ELF file: '{path}'.");
        if (bytes[4] != 2 || bytes[5] != 1)
            throw new InvalidDataException($"Only little-endian ELF64 files are supported: '{path}'.");
        var span = bytes.AsSpan();
        long shoff = BinaryPrimitives.ReadInt64LittleEndian(span[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        var found = new List<int>();
        try
        {
            for (int i = 0; i < shnum; i++)
            {
                var header = Section(span, shoff, shentsize, i);
                if (header.Type != ShtGnuVerneed) continue;
                long strtab = Section(span, shoff, shentsize, (int)header.Link).Offset;
                long vn = header.Offset;
                for (uint n = 0; n < header.Info; n++)
                {
                    int count = BinaryPrimitives.ReadUInt16LittleEndian(span[Checked(vn + 2)..]);
                    long aux = vn + BinaryPrimitives.ReadUInt32LittleEndian(span[Checked(vn + 8)..]);
                    for (int a = 0; a < count; a++)
                    {
                        long name = strtab + BinaryPrimitives.ReadUInt32LittleEndian(span[Checked(aux + 8)..]);
                        var rest = span[Checked(name)..];
                        var end = rest.IndexOf((byte)0);
                        if (end >= 0 && Encoding.ASCII.GetString(rest[..end]) == version) found.Add(Checked(aux + 4));
                        uint next = BinaryPrimitives.ReadUInt32LittleEndian(span[Checked(aux + 12)..]);
                        if (next == 0) break;
                        aux += next;
                    }
                    uint nextVn = BinaryPrimitives.ReadUInt32LittleEndian(span[Checked(vn + 12)..]);
                    if (nextVn == 0) break;
                    vn += nextVn;
                }
            }
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"The ELF version tables of '{path}' point outside the file.", e);
        }
        return found;

        int Checked(long offset) => offset >= 0 && offset < bytes.Length ? (int)offset :
            throw new ArgumentOutOfRangeException(nameof(offset));
    }

    private static (uint Type, long Offset, uint Link, uint Info) Section(ReadOnlySpan<byte> span, long shoff, int shentsize, int index)
    {
        long at = shoff + (long)index * shentsize;
        if (at < 0 || at + 64 > span.Length) throw new ArgumentOutOfRangeException(nameof(index));
        var s = span[(int)at..];
        return (BinaryPrimitives.ReadUInt32LittleEndian(s[4..]), BinaryPrimitives.ReadInt64LittleEndian(s[24..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[40..]), BinaryPrimitives.ReadUInt32LittleEndian(s[44..]));
    }
}
