using System.Reflection;
using System.Runtime.InteropServices;
using SQLitePCL;

namespace KerasPS.Engine.Sweeps.Studies;

/// <summary>
/// Which SQLite library Microsoft.Data.Sqlite calls: the system's on Linux and macOS (every distribution and macOS
/// ship libsqlite3; Python's sqlite3 module uses the same one), the bundled e_sqlite3 on Windows. Bundling SQLite for
/// every platform would add about 3 MB to a package that must stay small for Azure Automation.
/// </summary>
internal static class SqliteNative
{
    private static readonly object Gate = new();
    private static bool ready;

    public static void Ensure()
    {
        lock (Gate)
        {
            if (ready) return;
            if (OperatingSystem.IsWindows()) raw.SetProvider(new SQLite3Provider_e_sqlite3());
            else
            {
                NativeLibrary.SetDllImportResolver(typeof(SQLite3Provider_sqlite3).Assembly, Resolve);
                raw.SetProvider(new SQLite3Provider_sqlite3());
            }
            ready = true;
        }
    }

    // Debian and Ubuntu install libsqlite3.so.0 (libsqlite3.so only comes with the -dev package); macOS has libsqlite3.dylib.
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != "sqlite3") return IntPtr.Zero;
        var candidates = OperatingSystem.IsMacOS() ? new[] { "libsqlite3.dylib", "/usr/lib/libsqlite3.dylib" }
            : new[] { "libsqlite3.so.0", "libsqlite3.so" };
        foreach (var c in candidates)
            if (NativeLibrary.TryLoad(c, out var handle)) return handle;
        throw new KerasException("SqliteNotInstalled", ErrorKind.NotInstalled,
            "SQLite studies need the system's SQLite library (libsqlite3), which this machine lacks. "
            + "Install it (apt-get install libsqlite3-0, dnf install sqlite-libs) or use a postgresql:// storage.");
    }
}
