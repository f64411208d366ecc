using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace KerasPS.Engine.Sweeps.Studies;

/// <summary>
/// Where a sweep study lives: a database in Optuna's RDB schema (Optuna 3.1, schema version 12, alembic revision
/// v3.0.0.d), reached through ADO.NET. The two providers differ only in how they connect, lock a study for a claim,
/// name the time and cast enum values; the SQL of <see cref="StudyStore"/> is shared. Connection strings follow
/// SQLAlchemy's URLs, as Optuna takes them: <c>sqlite:///relative.db</c>, <c>sqlite:////absolute/path.db</c>,
/// <c>postgresql://user[:password]@host[:port]/database</c>. A password is never part of <see cref="Display"/> or of
/// any message.
/// </summary>
public abstract class StudyStorage
{
    private protected StudyStorage(string display) => Display = display;

    /// <summary>The storage's URL without its password, for messages and results.</summary>
    public string Display { get; }

    /// <summary>How long an operation keeps retrying a database that went away (a restart, a lost connection).</summary>
    public TimeSpan ReconnectFor { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Told each time an operation retries after a lost connection.</summary>
    public Action<string>? Retrying { get; init; }

    /// <summary>
    /// Closes the idle pooled connections to the database. A cmdlet calls it when it is done, so that a SQLite study file
    /// is not held open after it (Windows cannot delete or move an open file); a later operation opens new connections.
    /// </summary>
    public virtual void ReleaseConnections() { }

    /// <summary>A scope at whose end <see cref="ReleaseConnections"/> runs (<c>using var _ = storage.ConnectionScope();</c>).</summary>
    public IDisposable ConnectionScope() => new Releaser(this);

    private sealed class Releaser(StudyStorage storage) : IDisposable
    {
        public void Dispose() => storage.ReleaseConnections();
    }

    /// <summary>
    /// A storage from its URL. <paramref name="basePath"/> resolves a relative SQLite path (the caller's current folder);
    /// <paramref name="user"/> and <paramref name="password"/> (a credential) win over the URL's, and PGPASSWORD is the
    /// last resort for PostgreSQL.
    /// </summary>
    public static StudyStorage Open(string url, string basePath, string? user = null, string? password = null)
    {
        if (string.IsNullOrWhiteSpace(url))
            throw KerasException.BadArgument("InvalidStorage",
                "-Storage is empty. Give sqlite:///study.db or postgresql://user@host:port/db.");
        int colon = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = colon < 0 ? "" : url[..colon].ToLowerInvariant();
        if (scheme == "sqlite")
        {
            var path = url[(colon + 3)..];
            if (!path.StartsWith('/') || path.Length < 2)
                throw KerasException.BadArgument("InvalidStorage",
                    $"'{url}' has no database file. Write sqlite:///study.db (relative) or sqlite:////data/study.db (absolute).", url);
            path = path[1..];
            var full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(basePath, path));
            return new SqliteStudyStorage(full, "sqlite:///" + (Path.IsPathRooted(path) ? path : path));
        }
        // An empty user or password is none (PowerShell passes $null to a string parameter as "").
        if (scheme is "postgresql" or "postgres" or "postgresql+psycopg2")
            return PostgresStudyStorage.FromUrl(url[(colon + 3)..], string.IsNullOrEmpty(user) ? null : user,
                string.IsNullOrEmpty(password) ? null : password);
        throw KerasException.BadArgument("InvalidStorage",
            "-Storage must start with sqlite:/// or postgresql://. Received: " + Redact(url) + ".", Redact(url));
    }

    /// <summary>A URL with any password replaced by ***.</summary>
    public static string Redact(string url)
    {
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        int at = url.LastIndexOf('@');
        if (scheme < 0 || at < scheme) return url;
        var auth = url[(scheme + 3)..at];
        int colon = auth.IndexOf(':');
        return colon < 0 ? url : url[..(scheme + 3)] + auth[..colon] + ":***" + url[at..];
    }

    internal abstract DbConnection Connect();

    /// <summary>Makes sure no other claim on the same study runs until the transaction ends.</summary>
    internal abstract void LockStudy(DbConnection c, DbTransaction tx, int studyId);

    /// <summary>Holds schema creation to one process at a time (PostgreSQL; SQLite's write lock already does).</summary>
    internal virtual void LockSchema(DbConnection c, DbTransaction tx) { }

    /// <summary>SQL that counts the tables named @table (0 or 1).</summary>
    internal abstract string TableExists { get; }

    /// <summary>Settings made once, outside a transaction, before the schema is created.</summary>
    internal virtual void Prepare() { }

    /// <summary>SQL for the database's clock, as Optuna's heartbeats use it (func.current_timestamp()).</summary>
    internal abstract string Now { get; }

    /// <summary>SQL that is true when <paramref name="column"/> is more than @grace seconds before <see cref="Now"/>.</summary>
    internal abstract string OlderThanGrace(string column);

    /// <summary>A parameter cast to one of Optuna's enum column types (PostgreSQL's native enums; SQLite keeps text).</summary>
    internal abstract string Enum(string parameter, string type);

    /// <summary>A local time as the database column takes it (Optuna writes datetime.now(), local and naive).</summary>
    internal abstract object Time(DateTime local);

    internal abstract DateTime? ReadTime(object value);

    /// <summary>The statements that create Optuna's tables, in order, each safe to run on a database that has them.</summary>
    internal abstract IEnumerable<string> SchemaStatements();

    /// <summary>True when an exception means the connection went away and the operation may succeed again.</summary>
    internal abstract bool IsTransient(Exception e);

    /// <summary>The error to show for an exception that is not transient (a wrong password, a missing database).</summary>
    internal virtual Exception? Translate(Exception e) => null;

    internal virtual void ResetConnections() { }

    /// <summary>Runs one unit of work in its own transaction, again on a fresh connection while the database is away.</summary>
    internal T Run<T>(Func<DbConnection, DbTransaction, T> work, CancellationToken cancel = default)
    {
        var deadline = DateTime.UtcNow + ReconnectFor;
        var wait = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                using var c = Connect();
                using var tx = c.BeginTransaction();
                var result = work(c, tx);
                tx.Commit();
                return result;
            }
            catch (Exception e) when (e is not KerasException && IsTransient(e) && DateTime.UtcNow < deadline
                && !cancel.IsCancellationRequested)
            {
                ResetConnections();
                Retrying?.Invoke($"The study database {Display} is not answering ({FirstLine(e.Message)}); trying again.");
                cancel.WaitHandle.WaitOne(wait);
                wait = TimeSpan.FromMilliseconds(Math.Min(5000, wait.TotalMilliseconds * 2));
            }
            catch (Exception e) when (e is not KerasException && Translate(e) is { } mapped)
            {
                throw mapped;
            }
        }
    }

    internal void Run(Action<DbConnection, DbTransaction> work, CancellationToken cancel = default) =>
        Run<bool>((c, tx) => { work(c, tx); return true; }, cancel);

    private protected static string FirstLine(string s) => s.Split('\n')[0].Trim();
}

/// <summary>A study in a SQLite file (one machine: Optuna says the same of SQLite).</summary>
public sealed class SqliteStudyStorage : StudyStorage
{
    private readonly string connectionString;

    internal SqliteStudyStorage(string path, string display) : base(display)
    {
        Path = path;
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 60,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public override void ReleaseConnections()
    {
        using var c = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(c);
    }

    internal override DbConnection Connect()
    {
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
            throw KerasException.BadArgument("StorageFolderNotFound",
                $"The folder of the study database '{Path}' does not exist. Create it or give another path.", Path);
        SqliteNative.Ensure();
        var c = new SqliteConnection(connectionString);
        c.Open();
        using var cmd = c.CreateCommand();
        // Writers wait for each other (busy_timeout) instead of failing; NORMAL is safe with WAL and much faster.
        cmd.CommandText = "PRAGMA busy_timeout = 60000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON";
        cmd.ExecuteNonQuery();
        return c;
    }

    // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default transaction) already holds the database's one write lock.
    internal override void LockStudy(DbConnection c, DbTransaction tx, int studyId) { }

    internal override string Now => "CURRENT_TIMESTAMP";

    internal override string TableExists => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @table";

    // WAL lets readers (Get-SweepTrial, Python's load_study) go on while a worker writes; the mode stays with the file.
    internal override void Prepare()
    {
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode = WAL";
        cmd.ExecuteNonQuery();
    }

    internal override string OlderThanGrace(string column) => $"{column} < datetime('now', '-' || @grace || ' seconds')";

    internal override string Enum(string parameter, string type) => parameter;

    internal override object Time(DateTime local) => local.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    internal override DateTime? ReadTime(object value) => value is string s
        && DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : value as DateTime?;

    internal override bool IsTransient(Exception e) => e is SqliteException { SqliteErrorCode: 5 or 6 };   // BUSY, LOCKED

    internal override Exception? Translate(Exception e) => e is SqliteException s
        ? new KerasException("StudyStorageUnavailable", ErrorKind.ResourceUnavailable,
            $"Cannot use the study database '{Path}': {FirstLine(s.Message)}", e)
        : null;

    internal override IEnumerable<string> SchemaStatements()
    {
        foreach (var s in OptunaSchema.Tables("INTEGER NOT NULL", "DATETIME", "FLOAT", e => $"VARCHAR({e.Length})"))
            yield return s;
    }
}

/// <summary>A study in PostgreSQL: many workers on many machines.</summary>
public sealed class PostgresStudyStorage : StudyStorage
{
    private readonly string connectionString;

    private PostgresStudyStorage(string connectionString, string display) : base(display) => this.connectionString = connectionString;

    internal static PostgresStudyStorage FromUrl(string rest, string? user, string? password)
    {
        // user[:password]@host[:port]/database[?query]
        int q = rest.IndexOf('?');
        if (q >= 0) rest = rest[..q];
        string? urlUser = null, urlPassword = null;
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var auth = rest[..at];
            rest = rest[(at + 1)..];
            int colon = auth.IndexOf(':');
            urlUser = Uri.UnescapeDataString(colon < 0 ? auth : auth[..colon]);
            if (colon >= 0) urlPassword = Uri.UnescapeDataString(auth[(colon + 1)..]);
        }
        int slash = rest.IndexOf('/');
        var hostPort = slash < 0 ? rest : rest[..slash];
        var database = slash < 0 ? "" : Uri.UnescapeDataString(rest[(slash + 1)..]);
        string host = hostPort;
        int port = 5432;
        int pc = hostPort.LastIndexOf(':');
        if (pc > 0 && !hostPort.EndsWith(']'))
        {
            host = hostPort[..pc];
            if (!int.TryParse(hostPort[(pc + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port))
                throw KerasException.BadArgument("InvalidStorage",
                    $"The port in postgresql://…{hostPort}/… is not a number.", hostPort);
        }
        if (string.IsNullOrEmpty(host)) host = "localhost";
        var finalUser = user ?? urlUser ?? Environment.GetEnvironmentVariable("PGUSER") ?? Environment.UserName;
        if (string.IsNullOrEmpty(database)) database = finalUser;
        var finalPassword = password ?? urlPassword ?? Environment.GetEnvironmentVariable("PGPASSWORD");
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = host, Port = port, Database = database, Username = finalUser, Password = finalPassword,
            Pooling = true, Timeout = 10, CommandTimeout = 60, ApplicationName = "KerasPS",
        };
        return new PostgresStudyStorage(b.ConnectionString, $"postgresql://{finalUser}@{host}:{port}/{database}");
    }

    internal override DbConnection Connect()
    {
        var c = new NpgsqlConnection(connectionString);
        c.Open();
        return c;
    }

    internal override void LockStudy(DbConnection c, DbTransaction tx, int studyId)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT study_id FROM studies WHERE study_id = @s FOR UPDATE";
        var p = cmd.CreateParameter();
        p.ParameterName = "s";
        p.Value = studyId;
        cmd.Parameters.Add(p);
        cmd.ExecuteScalar();
    }

    internal override string Now => "LOCALTIMESTAMP";

    internal override string TableExists =>
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @table";

    internal override void LockSchema(DbConnection c, DbTransaction tx)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT pg_advisory_xact_lock(7419277)";
        cmd.ExecuteScalar();
    }

    internal override string OlderThanGrace(string column) => $"{column} < LOCALTIMESTAMP - make_interval(secs => @grace)";

    internal override string Enum(string parameter, string type) => $"CAST({parameter} AS {type})";

    internal override object Time(DateTime local) => DateTime.SpecifyKind(local, DateTimeKind.Unspecified);

    internal override DateTime? ReadTime(object value) => value as DateTime?;

    internal override bool IsTransient(Exception e) => e switch
    {
        PostgresException pe => pe.SqlState.StartsWith("08", StringComparison.Ordinal) || pe.SqlState is "57P01" or "57P02" or "57P03"
            || pe.SqlState == "40001" || pe.SqlState == "40P01",
        NpgsqlException ne => ne.IsTransient || ne.InnerException is System.Net.Sockets.SocketException or IOException or TimeoutException,
        InvalidOperationException io => io.InnerException is not null && IsTransient(io.InnerException),
        _ => false,
    };

    internal override Exception? Translate(Exception e)
    {
        if (e is PostgresException pe)
        {
            if (pe.SqlState is "28P01" or "28000")
                return new KerasException("StudyStorageAuthenticationFailed", ErrorKind.SecurityError,
                    $"PostgreSQL refused the login to {Display}. Check the user and password (in the URL, -Credential or PGPASSWORD).", e);
            if (pe.SqlState == "3D000")
                return new KerasException("StudyStorageNotFound", ErrorKind.ObjectNotFound,
                    $"{Display} has no such database. Create it first (createdb) or name another one.", e);
            return new KerasException("StudyStorageUnavailable", ErrorKind.ResourceUnavailable,
                $"The study database {Display} refused an operation: {pe.SqlState} {FirstLine(pe.MessageText)}", e);
        }
        if (e is NpgsqlException ne)
            return new KerasException("StudyStorageUnavailable", ErrorKind.ResourceUnavailable,
                $"Cannot reach the study database {Display}: {FirstLine(ne.Message)}", e);
        return null;
    }

    internal override void ResetConnections() => NpgsqlConnection.ClearAllPools();

    internal override IEnumerable<string> SchemaStatements()
    {
        foreach (var e in OptunaSchema.Enums)
            yield return $"DO $$ BEGIN CREATE TYPE {e.Type} AS ENUM ({string.Join(", ", e.Values.Select(v => $"'{v}'"))}); "
                + "EXCEPTION WHEN duplicate_object THEN NULL; END $$";
        foreach (var s in OptunaSchema.Tables("SERIAL NOT NULL", "TIMESTAMP WITHOUT TIME ZONE", "DOUBLE PRECISION", e => e.Type))
            yield return s;
    }
}
