namespace KerasPS.Engine.Sweeps.Studies;

/// <summary>One of Optuna's enum columns: its PostgreSQL type name, its values and the text width SQLite gives it.</summary>
internal sealed record OptunaEnum(string Type, string[] Values)
{
    public int Length => Values.Max(v => v.Length);
}

/// <summary>
/// The tables of Optuna 3.1's RDB storage (optuna/storages/_rdb/models.py, SCHEMA_VERSION 12, alembic head v3.0.0.d),
/// written out as the SQL its SQLAlchemy models create on SQLite and PostgreSQL, so that optuna.load_study, its
/// visualizations and optuna-dashboard read a KerasPS study, and KerasPS reads theirs.
/// </summary>
internal static class OptunaSchema
{
    public const int SchemaVersion = 12;
    public const string LibraryVersion = "3.1.0";
    public const string AlembicRevision = "v3.0.0.d";

    public static readonly OptunaEnum Direction = new("studydirection", new[] { "NOT_SET", "MINIMIZE", "MAXIMIZE" });
    public static readonly OptunaEnum State = new("trialstate", new[] { "RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING" });
    public static readonly OptunaEnum ValueType = new("trialvaluetype", new[] { "FINITE", "INF_POS", "INF_NEG" });
    public static readonly OptunaEnum IntermediateType =
        new("trialintermediatevaluetype", new[] { "FINITE", "INF_POS", "INF_NEG", "NAN" });

    public static IReadOnlyList<OptunaEnum> Enums => new[] { Direction, State, ValueType, IntermediateType };

    /// <summary>CREATE TABLE statements in dependency order, with the column types of one database.</summary>
    public static IEnumerable<string> Tables(string serial, string dateTime, string real, Func<OptunaEnum, string> enumType)
    {
        const string text = "VARCHAR(512)";
        yield return T("studies", $"study_id {serial}", $"study_name {text} NOT NULL", "PRIMARY KEY (study_id)");
        yield return "CREATE UNIQUE INDEX IF NOT EXISTS ix_studies_study_name ON studies (study_name)";
        yield return T("version_info", "version_info_id INTEGER NOT NULL", "schema_version INTEGER", "library_version VARCHAR(256)",
            "PRIMARY KEY (version_info_id)", "CHECK (version_info_id=1)");
        yield return T("study_directions", $"study_direction_id {serial}", $"direction {enumType(Direction)} NOT NULL",
            "study_id INTEGER NOT NULL", "objective INTEGER NOT NULL", "PRIMARY KEY (study_direction_id)", "UNIQUE (study_id, objective)",
            "FOREIGN KEY(study_id) REFERENCES studies (study_id)");
        foreach (var kind in new[] { "user", "system" }) yield return Attributes("study", "studies", kind, serial);
        yield return T("trials", $"trial_id {serial}", "number INTEGER", "study_id INTEGER", $"state {enumType(State)} NOT NULL",
            $"datetime_start {dateTime}", $"datetime_complete {dateTime}", "PRIMARY KEY (trial_id)",
            "FOREIGN KEY(study_id) REFERENCES studies (study_id)");
        foreach (var kind in new[] { "user", "system" }) yield return Attributes("trial", "trials", kind, serial);
        yield return T("trial_params", $"param_id {serial}", "trial_id INTEGER", $"param_name {text}", $"param_value {real}",
            "distribution_json TEXT", "PRIMARY KEY (param_id)", "UNIQUE (trial_id, param_name)",
            "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)");
        yield return T("trial_values", $"trial_value_id {serial}", "trial_id INTEGER NOT NULL", "objective INTEGER NOT NULL",
            $"value {real}", $"value_type {enumType(ValueType)} NOT NULL", "PRIMARY KEY (trial_value_id)", "UNIQUE (trial_id, objective)",
            "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)");
        yield return T("trial_intermediate_values", $"trial_intermediate_value_id {serial}", "trial_id INTEGER NOT NULL",
            "step INTEGER NOT NULL", $"intermediate_value {real}", $"intermediate_value_type {enumType(IntermediateType)} NOT NULL",
            "PRIMARY KEY (trial_intermediate_value_id)", "UNIQUE (trial_id, step)", "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)");
        yield return T("trial_heartbeats", $"trial_heartbeat_id {serial}", "trial_id INTEGER NOT NULL", $"heartbeat {dateTime} NOT NULL",
            "PRIMARY KEY (trial_heartbeat_id)", "UNIQUE (trial_id)", "FOREIGN KEY(trial_id) REFERENCES trials (trial_id)");
        yield return T("alembic_version", "version_num VARCHAR(32) NOT NULL",
            "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)");
    }

    // PostgreSQL checks a foreign key's table when the table is created: each attributes table comes after its owner's.
    private static string Attributes(string owner, string table, string kind, string serial) =>
        T($"{owner}_{kind}_attributes", $"{owner}_{kind}_attribute_id {serial}", $"{owner}_id INTEGER", "\"key\" VARCHAR(512)",
            "value_json TEXT", $"PRIMARY KEY ({owner}_{kind}_attribute_id)", $"UNIQUE ({owner}_id, \"key\")",
            $"FOREIGN KEY({owner}_id) REFERENCES {table} ({owner}_id)");

    private static string T(string name, params string[] columns) =>
        $"CREATE TABLE IF NOT EXISTS {name} (\n\t{string.Join(", \n\t", columns)}\n)";
}
