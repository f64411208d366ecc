using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KerasPS.Engine.Sweeps.Studies;

/// <summary>
/// A KerasPS study in Optuna's tables: creating and loading studies, claiming trials in a transaction (so no trial runs
/// twice), heartbeats, reports, and failing and retrying trials whose worker stopped beating. Every operation runs in
/// one transaction of its own through <see cref="StudyStorage.Run{T}"/>, so a database that restarts costs a retry,
/// not a trial. KerasPS's own details are user attributes whose keys start with kerasps_.
/// </summary>
public static class StudyStore
{
    public const string TrialKey = "kerasps_trial";
    public const string SeedKey = "kerasps_seed";
    public const string AttemptKey = "kerasps_attempt";
    public const string RetryOfKey = "kerasps_retry_of";
    public const string HostKey = "kerasps_host";
    public const string HistoryKey = "kerasps_history";
    public const string ErrorIdKey = "kerasps_error_id";
    public const string ErrorKey = "kerasps_error";
    public const string DurationKey = "kerasps_duration_seconds";
    public const string BestEpochKey = "kerasps_best_epoch";
    public const string PrunedAtKey = "kerasps_pruned_at_epoch";

    /// <summary>Optuna's MedianPruner default: trials before median stopping prunes.</summary>
    public const int MedianStartupTrials = SweepRun.MedianStartupTrials;

    /// <summary>Creates Optuna's tables and version rows when missing; refuses a database of another schema version.</summary>
    public static void EnsureSchema(StudyStorage storage)
    {
        storage.Prepare();
        storage.Run((c, tx) =>
        {
            storage.LockSchema(c, tx);
            foreach (var sql in storage.SchemaStatements()) Exec(c, tx, sql);
            if (Scalar(c, tx, "SELECT COUNT(*) FROM version_info") is 0L)
                Exec(c, tx, "INSERT INTO version_info (version_info_id, schema_version, library_version) VALUES (1, @v, @l)",
                    ("v", OptunaSchema.SchemaVersion), ("l", OptunaSchema.LibraryVersion));
            if (Scalar(c, tx, "SELECT COUNT(*) FROM alembic_version") is 0L)
                Exec(c, tx, "INSERT INTO alembic_version (version_num) VALUES (@v)", ("v", OptunaSchema.AlembicRevision));
            CheckVersion(storage, c, tx);
        });
    }

    /// <summary>Creates a study; fails with StudyExists when the name is taken.</summary>
    public static StudyInfo Create(StudyStorage storage, StudyDefinition d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var distributions = d.Space.Select(kv => OptunaDistribution.From(kv.Key, kv.Value)).ToList();
        EnsureSchema(storage);
        storage.Run((c, tx) =>
        {
            if (Scalar(c, tx, "SELECT COUNT(*) FROM studies WHERE study_name = @n", ("n", d.Name)) is not 0L)
                throw new KerasException("StudyExists", ErrorKind.ResourceExists,
                    $"{storage.Display} already has a study named '{d.Name}'. Give another -Name, or start workers on it with -Study.")
                { Target = d.Name };
            int id = Convert.ToInt32(Scalar(c, tx, "INSERT INTO studies (study_name) VALUES (@n) RETURNING study_id", ("n", d.Name)),
                CultureInfo.InvariantCulture);
            Exec(c, tx, "INSERT INTO study_directions (direction, study_id, objective) VALUES ("
                + storage.Enum("@d", OptunaSchema.Direction.Type) + ", @s, 0)",
                ("d", d.Monitor.HigherIsBetter ? "MAXIMIZE" : "MINIMIZE"), ("s", id));
            var space = new JsonArray(distributions.Select(x => (JsonNode)new JsonObject
            {
                ["name"] = x.Name, ["distribution"] = JsonNode.Parse(x.Json),
            }).ToArray());
            var attrs = new (string, string)[]
            {
                ("kerasps_space", space.ToJsonString()), ("kerasps_search", J(d.Search)), ("kerasps_prune", J(d.Prune)),
                ("kerasps_prune_factor", J(d.PruneFactor)), ("kerasps_monitor", J(d.Monitor.Name)), ("kerasps_trials", J(d.Trials)),
                ("kerasps_epochs", J(d.Epochs)), ("kerasps_seed", J(d.Seed)),
            };
            foreach (var (k, v) in attrs) SetAttr(c, tx, "study", id, k, v, user: true);
        });
        return Load(storage, d.Name);
    }

    /// <summary>The names of the studies in a storage (for completion and messages); empty when it has no tables yet.</summary>
    public static IReadOnlyList<string> Names(StudyStorage storage) => storage.Run((c, tx) =>
    {
        if (!HasTables(storage, c, tx)) return (IReadOnlyList<string>)Array.Empty<string>();
        var names = new List<string>();
        using var r = Reader(c, tx, "SELECT study_name FROM studies ORDER BY study_id");
        while (r.Read()) names.Add(r.GetString(0));
        return names;
    });

    /// <summary>A study by name; StudyNotFound (with the names there are) when it is missing.</summary>
    public static StudyInfo Load(StudyStorage storage, string name) => storage.Run((c, tx) =>
    {
        if (!HasTables(storage, c, tx))
            throw new KerasException("StudyNotFound", ErrorKind.ObjectNotFound,
                $"{storage.Display} holds no Optuna study yet. Create one with New-SweepStudy.") { Target = name };
        CheckVersion(storage, c, tx);
        var idValue = Scalar(c, tx, "SELECT study_id FROM studies WHERE study_name = @n", ("n", name));
        if (idValue is null)
        {
            var names = new List<string>();
            using (var r = Reader(c, tx, "SELECT study_name FROM studies ORDER BY study_id"))
                while (r.Read()) names.Add(r.GetString(0));
            throw new KerasException("StudyNotFound", ErrorKind.ObjectNotFound,
                $"{storage.Display} has no study named '{name}' (it has: {(names.Count == 0 ? "none" : string.Join(", ", names))}). "
                + "Check -Study, or create it with New-SweepStudy.") { Target = name };
        }
        int id = Convert.ToInt32(idValue, CultureInfo.InvariantCulture);
        var direction = Convert.ToString(Scalar(c, tx,
            "SELECT CAST(direction AS VARCHAR(8)) FROM study_directions WHERE study_id = @s AND objective = 0", ("s", id)),
            CultureInfo.InvariantCulture) ?? "MINIMIZE";
        var attrs = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var r = Reader(c, tx, "SELECT \"key\", value_json FROM study_user_attributes WHERE study_id = @s", ("s", id)))
            while (r.Read()) attrs[r.GetString(0)] = r.GetString(1);
        if (!attrs.TryGetValue("kerasps_space", out var spaceJson))
            return new StudyInfo(id, name, direction, null, Array.Empty<OptunaDistribution>());
        var distributions = JsonNode.Parse(spaceJson)!.AsArray()
            .Select(n => OptunaDistribution.Parse((string)n!["name"]!, n["distribution"]!.ToJsonString())).ToList();
        var d = new StudyDefinition
        {
            Name = name,
            Space = distributions.Select(x => new KeyValuePair<string, object?[]>(x.Name, x.Values)).ToList(),
            Search = Str(attrs, "kerasps_search") ?? "Random",
            Prune = Str(attrs, "kerasps_prune") ?? "None",
            PruneFactor = (int)Num(attrs, "kerasps_prune_factor", 3),
            Monitor = new TrialMonitor(Str(attrs, "kerasps_monitor") ?? "val_loss"),
            Trials = (int)Num(attrs, "kerasps_trials", 1),
            Epochs = (int)Num(attrs, "kerasps_epochs", 10),
            Seed = (long)Num(attrs, "kerasps_seed", 0),
        };
        return new StudyInfo(id, name, direction, d, distributions);
    });

    /// <summary>
    /// Takes the next trial in one transaction that holds the study's lock: first fails RUNNING trials whose heartbeat is
    /// older than <paramref name="grace"/> (queueing a retry of each of ours that has attempts left), then takes a waiting
    /// retry, then a new trial while the budget lasts.
    /// </summary>
    public static (ClaimStatus Status, ClaimedTrial? Trial) Claim(StudyStorage storage, StudyInfo study, int retryFailed, TimeSpan grace,
        Action<string>? log = null, CancellationToken cancel = default)
    {
        var d = study.Definition ?? throw NotKerasPS(study);
        return storage.Run((c, tx) =>
        {
            storage.LockStudy(c, tx, study.Id);
            FailStale(storage, c, tx, study, retryFailed, grace, log);
            // Pruning decides as each epoch ends, from the study as it is then (ShouldPrune); only TPE needs the history here.
            var history = d.Search == "Tpe" ? ReadTrials(c, tx, storage, study.Id) : null;
            var waitingId = Scalar(c, tx, "SELECT MIN(t.trial_id) FROM trials t WHERE t.study_id = @s AND t.state = 'WAITING' AND EXISTS ("
                + "SELECT 1 FROM trial_user_attributes a WHERE a.trial_id = t.trial_id AND a.\"key\" = @k)",
                ("s", study.Id), ("k", TrialKey));
            if (waitingId is not null and not DBNull)
            {
                int tid = Convert.ToInt32(waitingId, CultureInfo.InvariantCulture);
                var t = ReadTrials(c, tx, storage, study.Id, tid).Single();
                Exec(c, tx, "UPDATE trials SET state = 'RUNNING', datetime_start = @now WHERE trial_id = @t AND state = 'WAITING'",
                    ("now", storage.Time(DateTime.Now)), ("t", tid));
                Exec(c, tx, $"INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (@t, {storage.Now})", ("t", tid));
                var spec = SpecOf(study, t);
                return (ClaimStatus.Claimed, new ClaimedTrial
                {
                    TrialId = tid, Number = t.Number, Spec = spec, Attempt = (int)Num(t.UserAttrs, AttemptKey, 1),
                });
            }
            long counted = (long)Scalar(c, tx, "SELECT COUNT(*) FROM trials t WHERE t.study_id = @s AND NOT EXISTS (SELECT 1 FROM "
                + "trial_system_attributes a WHERE a.trial_id = t.trial_id AND a.\"key\" = 'failed_trial')", ("s", study.Id))!;
            if (counted >= d.Trials)
            {
                var open = (long)Scalar(c, tx, "SELECT COUNT(*) FROM trials WHERE study_id = @s AND state IN ('RUNNING', 'WAITING')",
                    ("s", study.Id))!;
                return (open > 0 ? ClaimStatus.Wait : ClaimStatus.Done, (ClaimedTrial?)null);
            }
            int k = (int)counted + 1;
            var next = Propose(study, k, history);
            int number = Convert.ToInt32(Scalar(c, tx, "SELECT COUNT(*) FROM trials WHERE study_id = @s", ("s", study.Id)),
                CultureInfo.InvariantCulture);
            int trialId = InsertTrial(storage, c, tx, study, number, "RUNNING", next, attempt: 1);
            Exec(c, tx, $"INSERT INTO trial_heartbeats (trial_id, heartbeat) VALUES (@t, {storage.Now})", ("t", trialId));
            return (ClaimStatus.Claimed, new ClaimedTrial
            {
                TrialId = trialId, Number = number, Spec = next, Attempt = 1,
            });
        }, cancel);
    }

    /// <summary>
    /// Tells the study the trial's worker is alive; false when the trial is no longer RUNNING (another worker failed it).
    /// </summary>
    public static bool Heartbeat(StudyStorage storage, int trialId, CancellationToken cancel = default) => storage.Run((c, tx) =>
    {
        Exec(c, tx, $"UPDATE trial_heartbeats SET heartbeat = {storage.Now} WHERE trial_id = @t", ("t", trialId));
        return Scalar(c, tx, "SELECT CAST(state AS VARCHAR(8)) FROM trials WHERE trial_id = @t", ("t", trialId))
            is string s && s == "RUNNING";
    }, cancel);

    /// <summary>
    /// Records one epoch's monitored value as the trial's intermediate value at step = epoch (1-based), as Optuna's
    /// trial.report does, and counts as a heartbeat. False, writing nothing, when the trial is no longer RUNNING (another
    /// worker failed it as lost). A database that is away is retried (<see cref="StudyStorage.ReconnectFor"/>).
    /// </summary>
    public static bool ReportEpoch(StudyStorage storage, int trialId, int epoch, double value, CancellationToken cancel = default) =>
        storage.Run((c, tx) =>
        {
            // The heartbeat and the state check in one statement: a report costs the round trips it did before the check.
            if (Exec(c, tx, $"UPDATE trial_heartbeats SET heartbeat = {storage.Now} WHERE trial_id = @t AND EXISTS (SELECT 1 FROM "
                + "trials WHERE trial_id = @t AND state = 'RUNNING')", ("t", trialId)) == 0) return false;
            Exec(c, tx, "DELETE FROM trial_intermediate_values WHERE trial_id = @t AND step = @e", ("t", trialId), ("e", epoch));
            InsertIntermediate(storage, c, tx, trialId, epoch, value);
            return true;
        }, cancel);

    /// <summary>
    /// Whether the study's pruner stops the trial after <paramref name="epoch"/>, decided from the study as it is now, as
    /// Optuna's trial.should_prune asks its pruner each step: Median compares <paramref name="best"/> (the trial's best value
    /// so far) with the median, at that epoch, of every finished trial of any worker (once 5 have finished, Optuna's
    /// n_startup_trials; Optuna's MedianPruner too reads finished trials only); Hyperband (asynchronous successive halving)
    /// ranks it at each rung among every other trial that reached the rung, RUNNING ones included, as Optuna's
    /// SuccessiveHalvingPruner ranks the rung values of all trials.
    /// </summary>
    public static bool ShouldPrune(StudyStorage storage, StudyInfo study, int trialId, int epoch, double? best,
        CancellationToken cancel = default)
    {
        var d = study.Definition ?? throw NotKerasPS(study);
        if (d.Prune == "None" || epoch < 1 || epoch > d.Epochs) return false;
        var others = storage.Run((c, tx) =>
        {
            var trials = new Dictionary<int, StudyTrial>();
            using var r = Reader(c, tx, "SELECT t.trial_id, CAST(t.state AS VARCHAR(8)), v.step, v.intermediate_value, "
                + "CAST(v.intermediate_value_type AS VARCHAR(8)) FROM trials t LEFT JOIN trial_intermediate_values v ON v.trial_id = "
                + "t.trial_id WHERE t.study_id = @s AND t.trial_id <> @t AND t.state IN ('COMPLETE', 'PRUNED', 'RUNNING')",
                ("s", study.Id), ("t", trialId));
            while (r.Read())
            {
                int id = r.GetInt32(0);
                if (!trials.TryGetValue(id, out var t))
                {
                    var state = Convert.ToString(r.GetValue(1), CultureInfo.InvariantCulture)!;
                    trials[id] = t = new StudyTrial { TrialId = id, State = state };
                }
                if (!r.IsDBNull(2))
                    t.Intermediate[r.GetInt32(2)] = FromStored(r.IsDBNull(3) ? null : r.GetDouble(3), r.GetValue(4)) ?? double.NaN;
            }
            return trials.Values.ToList();
        }, cancel);
        var thresholds = Thresholds(d, others, running: d.Prune != "Median");
        double threshold = thresholds is null ? double.NaN : thresholds[epoch - 1];
        if (double.IsNaN(threshold)) return false;
        return best is not double b || (d.Monitor.HigherIsBetter ? b < threshold : b > threshold);
    }

    /// <summary>
    /// Writes a finished trial: state, value (the best monitored value), one intermediate value per epoch, and KerasPS's
    /// details. Returns false, writing nothing, when the trial is no longer RUNNING (it was failed as lost meanwhile).
    /// </summary>
    public static bool Finish(StudyStorage storage, StudyInfo study, ClaimedTrial claimed, TrialRun run, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        ArgumentNullException.ThrowIfNull(run);
        var monitor = study.Definition?.Monitor.Name ?? run.Monitor;
        var state = run.Status switch { "Completed" => "COMPLETE", "Pruned" => "PRUNED", _ => "FAIL" };
        return storage.Run((c, tx) =>
        {
            int changed = Exec(c, tx, "UPDATE trials SET state = " + storage.Enum("@st", OptunaSchema.State.Type)
                + ", datetime_complete = @now WHERE trial_id = @t AND state = 'RUNNING'",
                ("st", state), ("now", storage.Time(DateTime.Now)), ("t", claimed.TrialId));
            if (changed == 0) return false;
            Exec(c, tx, "DELETE FROM trial_intermediate_values WHERE trial_id = @t", ("t", claimed.TrialId));
            foreach (var r in run.Records)
                if (r.Get(monitor) is double v) InsertIntermediate(storage, c, tx, claimed.TrialId, r.Epoch, v);
            // A pruned trial's value is its last intermediate value, as Optuna's study.tell writes it (when it is not NaN).
            double? value = state == "COMPLETE" ? run.Best
                : state == "PRUNED" && run.Records.Count > 0 && run.Records[^1].Get(monitor) is double last && !double.IsNaN(last) ? last
                : null;
            if (value is double v0)
            {
                var type = double.IsPositiveInfinity(v0) ? "INF_POS" : double.IsNegativeInfinity(v0) ? "INF_NEG" : "FINITE";
                Exec(c, tx, "INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (@t, 0, @v, "
                    + storage.Enum("@vt", OptunaSchema.ValueType.Type) + ")",
                    ("t", claimed.TrialId), ("v", type == "FINITE" ? v0 : DBNull.Value), ("vt", type));
            }
            var history = new JsonArray(run.Records.Select(r =>
            {
                var o = new JsonObject { ["epoch"] = r.Epoch };
                foreach (var (k, v) in r.Values) o[k] = double.IsFinite(v) ? v : null;
                return (JsonNode)o;
            }).ToArray());
            SetAttr(c, tx, "trial", claimed.TrialId, HostKey, J(run.Host), user: true);
            SetAttr(c, tx, "trial", claimed.TrialId, DurationKey, J(Math.Round(run.Duration.TotalSeconds, 3)), user: true);
            SetAttr(c, tx, "trial", claimed.TrialId, HistoryKey, history.ToJsonString(), user: true);
            if (run.BestEpoch is int be) SetAttr(c, tx, "trial", claimed.TrialId, BestEpochKey, J(be), user: true);
            if (run.PrunedAtEpoch is int pe) SetAttr(c, tx, "trial", claimed.TrialId, PrunedAtKey, J(pe), user: true);
            if (run.ErrorId is not null) SetAttr(c, tx, "trial", claimed.TrialId, ErrorIdKey, J(run.ErrorId), user: true);
            if (run.Error is not null) SetAttr(c, tx, "trial", claimed.TrialId, ErrorKey, J(run.Error), user: true);
            return true;
        }, cancel);
    }

    /// <summary>
    /// Fails a trial whose worker was stopped mid-trial (Ctrl+C, Stop-Job, -MaxDuration), as Optuna fails a trial on
    /// KeyboardInterrupt: FAIL at once with the epochs it reported and the error, not RUNNING until the heartbeat grace
    /// period; then, up to <paramref name="retryFailed"/> times, a retry waits for the next worker. False when the trial was
    /// no longer RUNNING.
    /// </summary>
    public static bool Abandon(StudyStorage storage, StudyInfo study, ClaimedTrial claimed, IReadOnlyList<Training.EpochRecord> records,
        string host, string errorId, string error, int retryFailed, Action<string>? log = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        ArgumentNullException.ThrowIfNull(records);
        var monitor = study.Definition?.Monitor.Name ?? "val_loss";
        return storage.Run((c, tx) =>
        {
            storage.LockStudy(c, tx, study.Id);
            if (Exec(c, tx, "UPDATE trials SET state = 'FAIL', datetime_complete = @now WHERE trial_id = @t AND state = 'RUNNING'",
                ("now", storage.Time(DateTime.Now)), ("t", claimed.TrialId)) == 0) return false;
            Exec(c, tx, "DELETE FROM trial_intermediate_values WHERE trial_id = @t", ("t", claimed.TrialId));
            foreach (var r in records)
                if (r.Get(monitor) is double v) InsertIntermediate(storage, c, tx, claimed.TrialId, r.Epoch, v);
            SetAttr(c, tx, "trial", claimed.TrialId, HostKey, J(host), user: true);
            SetAttr(c, tx, "trial", claimed.TrialId, ErrorIdKey, J(errorId), user: true);
            SetAttr(c, tx, "trial", claimed.TrialId, ErrorKey, J(error), user: true);
            var t = ReadTrials(c, tx, storage, study.Id, claimed.TrialId).Single();
            QueueRetry(storage, c, tx, study, t, retryFailed, "was stopped with its worker", log);
            return true;
        }, cancel);
    }

    /// <summary>Every trial of a study, in trial_id order.</summary>
    public static IReadOnlyList<StudyTrial> Trials(StudyStorage storage, StudyInfo study) =>
        storage.Run((c, tx) => (IReadOnlyList<StudyTrial>)ReadTrials(c, tx, storage, study.Id));

    /// <summary>A trial row as the engine's <see cref="TrialRun"/> (KerasPS's trial number, parameters in the study's order).</summary>
    public static TrialRun ToRun(StudyInfo study, StudyTrial t)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(t);
        var monitor = study.Definition?.Monitor.Name ?? "value";
        var ps = new List<KeyValuePair<string, object?>>();
        foreach (var dist in study.Distributions)
            ps.Add(new(dist.Name, t.Params.TryGetValue(dist.Name, out var p) ? dist.FromInternal(p.Value) : null));
        foreach (var (name, p) in t.Params.Where(p => study.Distributions.All(x => x.Name != p.Key)))
            ps.Add(new(name, OptunaDistribution.Parse(name, p.Distribution).FromInternal(p.Value)));
        var run = new TrialRun((int)Num(t.UserAttrs, TrialKey, t.Number + 1), ps, (long)Num(t.UserAttrs, SeedKey, 0), monitor)
        {
            Status = t.State switch
            {
                "COMPLETE" => "Completed", "PRUNED" => "Pruned", "FAIL" => "Failed", "RUNNING" => "Running", _ => "Waiting",
            },
            Best = t.Value,
            Attempts = (int)Num(t.UserAttrs, AttemptKey, 1),
            Host = Str(t.UserAttrs, HostKey) ?? "",
            ErrorId = Str(t.UserAttrs, ErrorIdKey),
            Error = Str(t.UserAttrs, ErrorKey),
            Duration = TimeSpan.FromSeconds(Num(t.UserAttrs, DurationKey,
                t.Start is DateTime s && t.Complete is DateTime e ? (e - s).TotalSeconds : 0)),
            PrunedAtEpoch = t.UserAttrs.ContainsKey(PrunedAtKey) ? (int)Num(t.UserAttrs, PrunedAtKey, 0) : null,
            FromJournal = true,
        };
        run.Records = t.UserAttrs.TryGetValue(HistoryKey, out var h) ? HistoryRecords(h) : StudyHistory.Records(t, monitor);
        // Optuna's value of a pruned trial is its last intermediate value; KerasPS's Best is its best, as a local sweep's.
        if (t.State == "PRUNED" && study.Definition?.Monitor.Best(run.Records) is var (prunedBest, _)) run.Best = prunedBest;
        if (study.Definition?.Monitor.Best(run.Records) is var (_, epoch)) run.BestEpoch = epoch;
        else if (t.UserAttrs.ContainsKey(BestEpochKey)) run.BestEpoch = (int)Num(t.UserAttrs, BestEpochKey, 0);
        return run;
    }

    private static List<Training.EpochRecord> HistoryRecords(string json) =>
        JsonNode.Parse(json)!.AsArray().Select(n =>
        {
            var o = n!.AsObject();
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (k, v) in o)
                if (k != "epoch") values[k] = v is null ? double.NaN : (double)v;
            return new Training.EpochRecord((int)o["epoch"]!, values, 0, TimeSpan.Zero, 0);
        }).ToList();

    private static void FailStale(StudyStorage storage, DbConnection c, DbTransaction tx, StudyInfo study, int retryFailed, TimeSpan grace,
        Action<string>? log)
    {
        var stale = new List<int>();
        using (var r = Reader(c, tx, "SELECT t.trial_id FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id "
            + "WHERE t.study_id = @s AND t.state = 'RUNNING' AND " + storage.OlderThanGrace("h.heartbeat") + " ORDER BY t.trial_id",
            ("s", study.Id), ("grace", Math.Max(1, (int)Math.Ceiling(grace.TotalSeconds)))))
            while (r.Read()) stale.Add(r.GetInt32(0));
        foreach (var id in stale)
        {
            if (Exec(c, tx, "UPDATE trials SET state = 'FAIL', datetime_complete = @now WHERE trial_id = @t AND state = 'RUNNING'",
                ("now", storage.Time(DateTime.Now)), ("t", id)) == 0) continue;
            SetAttr(c, tx, "trial", id, ErrorIdKey, J("TrialHeartbeatLost"), user: true);
            SetAttr(c, tx, "trial", id, ErrorKey, J($"The trial's worker stopped sending heartbeats for more than {grace.TotalSeconds:0} s "
                + "(it was killed or lost its host), so another worker failed the trial."), user: true);
            var t = ReadTrials(c, tx, storage, study.Id, id).Single();
            if (!t.UserAttrs.ContainsKey(TrialKey)) continue;   // not ours (a Python worker's): its owner decides
            QueueRetry(storage, c, tx, study, t, retryFailed, "lost its worker", log);
        }
    }

    /// <summary>Queues a failed trial of ours to run again (WAITING, attempt + 1) while it has attempts left.</summary>
    private static void QueueRetry(StudyStorage storage, DbConnection c, DbTransaction tx, StudyInfo study, StudyTrial t, int retryFailed,
        string why, Action<string>? log)
    {
        int attempt = (int)Num(t.UserAttrs, AttemptKey, 1);
        if (attempt > retryFailed)
        {
            log?.Invoke($"Trial {Num(t.UserAttrs, TrialKey, 0)} {why}; it ran {attempt} time(s), so it stays FAIL.");
            return;
        }
        var spec = SpecOf(study, t);
        int number = Convert.ToInt32(Scalar(c, tx, "SELECT COUNT(*) FROM trials WHERE study_id = @s", ("s", study.Id)),
            CultureInfo.InvariantCulture);
        int retry = InsertTrial(storage, c, tx, study, number, "WAITING", spec, attempt + 1);
        SetAttr(c, tx, "trial", retry, RetryOfKey, J(t.Number), user: true);
        // The keys Optuna's RetryFailedCallback writes (later Optuna versions), so its tools tell a retry from a new trial.
        SetAttr(c, tx, "trial", retry, "failed_trial", J(t.Number), user: false);
        SetAttr(c, tx, "trial", retry, "retry_history", $"[{t.Number}]", user: false);
        log?.Invoke($"Trial {spec.Trial} {why}; it runs again (attempt {attempt + 1}).");
    }

    private static int InsertTrial(StudyStorage storage, DbConnection c, DbTransaction tx, StudyInfo study, int number, string state,
        TrialSpec spec, int attempt)
    {
        int trialId = Convert.ToInt32(Scalar(c, tx, "INSERT INTO trials (number, study_id, state, datetime_start) VALUES (@n, @s, "
            + storage.Enum("@st", OptunaSchema.State.Type) + ", @now) RETURNING trial_id",
            ("n", number), ("s", study.Id), ("st", state), ("now", state == "WAITING" ? DBNull.Value : storage.Time(DateTime.Now))),
            CultureInfo.InvariantCulture);
        for (int i = 0; i < study.Distributions.Count; i++)
        {
            var dist = study.Distributions[i];
            Exec(c, tx, "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (@t, @n, @v, @d)",
                ("t", trialId), ("n", dist.Name), ("v", dist.ToInternal(spec.Parameters[i].Value)), ("d", dist.Json));
        }
        SetAttr(c, tx, "trial", trialId, TrialKey, J(spec.Trial), user: true);
        SetAttr(c, tx, "trial", trialId, SeedKey, J(spec.Seed), user: true);
        SetAttr(c, tx, "trial", trialId, AttemptKey, J(attempt), user: true);
        return trialId;
    }

    /// <summary>Trial k's parameters: the grid's k-th, the random sweep's k-th, or TPE's proposal from every finished trial.</summary>
    private static TrialSpec Propose(StudyInfo study, int k, List<StudyTrial>? history)
    {
        var d = study.Definition!;
        if (d.Search == "Grid") return study.Grid[k - 1];
        if (d.Search != "Tpe") return SweepPlan.RandomTrial(d.Space, k, d.Seed);
        var tpe = new TpeSampler(d.Space, d.Seed, d.Monitor.HigherIsBetter);
        var observations = new List<TrialObservation>();
        foreach (var t in history!.Where(t => t.State is "COMPLETE" or "PRUNED" or "FAIL"))
        {
            if (study.Distributions.Any(x => !t.Params.ContainsKey(x.Name))) continue;
            observations.Add(new TrialObservation(SpecOf(study, t), t.State == "COMPLETE" ? t.Value : null));
        }
        return tpe.Propose(k, observations);
    }

    /// <summary>
    /// Per-epoch thresholds from the other trials: the median rule (Optuna's MedianPruner) or successive halving's rungs;
    /// <paramref name="running"/> counts RUNNING trials' values too.
    /// </summary>
    private static double[]? Thresholds(StudyDefinition d, List<StudyTrial>? history, bool running = false)
    {
        if (history is null || d.Prune == "None") return null;
        var done = history.Where(t => t.State is "COMPLETE" or "PRUNED" || (running && t.State == "RUNNING")).ToList();
        if (d.Prune == "Median")
            return done.Count < MedianStartupTrials ? null
                : MedianStopping.Thresholds(done.Select(t => StudyHistory.Records(t, d.Monitor.Name)), d.Monitor.Name, d.Epochs);
        // Asynchronous successive halving (the rule of Optuna's SuccessiveHalvingPruner, which its HyperbandPruner runs per
        // bracket): at rung epochs 1, f, f², ... a trial goes on only if its best so far is among the best 1/f of the values
        // that trials reported at that epoch.
        var thresholds = Enumerable.Repeat(double.NaN, d.Epochs).ToArray();
        for (long e = 1; e < d.Epochs; e *= d.PruneFactor)
        {
            var values = done.Where(t => t.Intermediate.ContainsKey((int)e)).Select(t => t.Intermediate[(int)e]).Where(double.IsFinite)
                .OrderBy(v => d.Monitor.HigherIsBetter ? -v : v).ToList();
            if (values.Count < d.PruneFactor) continue;
            thresholds[e - 1] = values[Math.Max(1, values.Count / d.PruneFactor) - 1];
        }
        return thresholds;
    }

    private static TrialSpec SpecOf(StudyInfo study, StudyTrial t)
    {
        var ps = study.Distributions.Select(x =>
            new KeyValuePair<string, object?>(x.Name, t.Params.TryGetValue(x.Name, out var p) ? x.FromInternal(p.Value) : null)).ToList();
        int k = (int)Num(t.UserAttrs, TrialKey, t.Number + 1);
        return new TrialSpec(k, ps, t.UserAttrs.ContainsKey(SeedKey) ? (long)Num(t.UserAttrs, SeedKey, 0)
            : SweepPlan.TrialSeed(study.Definition?.Seed ?? 0, k));
    }

    private static List<StudyTrial> ReadTrials(DbConnection c, DbTransaction tx, StudyStorage storage, int studyId, int? only = null)
    {
        var filter = only is null ? "t.study_id = @s" : "t.trial_id = @o";
        var trials = new Dictionary<int, StudyTrial>();
        var args = new (string, object)[] { ("s", studyId), ("o", only ?? 0) };
        using (var r = Reader(c, tx, "SELECT t.trial_id, t.number, CAST(t.state AS VARCHAR(8)), t.datetime_start, t.datetime_complete "
            + $"FROM trials t WHERE {filter} ORDER BY t.trial_id", args))
            while (r.Read())
                trials[r.GetInt32(0)] = new StudyTrial
                {
                    TrialId = r.GetInt32(0), Number = r.IsDBNull(1) ? 0 : r.GetInt32(1), State = Convert.ToString(r.GetValue(2),
                        CultureInfo.InvariantCulture)!,
                    Start = r.IsDBNull(3) ? null : storage.ReadTime(r.GetValue(3)),
                    Complete = r.IsDBNull(4) ? null : storage.ReadTime(r.GetValue(4)),
                };
        using (var r = Reader(c, tx, "SELECT p.trial_id, p.param_name, p.param_value, p.distribution_json FROM trial_params p "
            + $"JOIN trials t ON t.trial_id = p.trial_id WHERE {filter}", args))
            while (r.Read())
                if (trials.TryGetValue(r.GetInt32(0), out var t)) t.Params[r.GetString(1)] = (r.GetDouble(2), r.GetString(3));
        using (var r = Reader(c, tx, "SELECT v.trial_id, v.value, CAST(v.value_type AS VARCHAR(8)) FROM trial_values v "
            + $"JOIN trials t ON t.trial_id = v.trial_id WHERE {filter} AND v.objective = 0", args))
            while (r.Read())
                if (trials.TryGetValue(r.GetInt32(0), out var t))
                    t.Value = FromStored(r.IsDBNull(1) ? null : r.GetDouble(1), r.GetValue(2));
        using (var r = Reader(c, tx, "SELECT v.trial_id, v.step, v.intermediate_value, CAST(v.intermediate_value_type AS VARCHAR(8)) FROM "
            + $"trial_intermediate_values v JOIN trials t ON t.trial_id = v.trial_id WHERE {filter}", args))
            while (r.Read())
                if (trials.TryGetValue(r.GetInt32(0), out var t))
                    t.Intermediate[r.GetInt32(1)] = FromStored(r.IsDBNull(2) ? null : r.GetDouble(2), r.GetValue(3)) ?? double.NaN;
        using (var r = Reader(c, tx, "SELECT a.trial_id, a.\"key\", a.value_json FROM trial_user_attributes a "
            + $"JOIN trials t ON t.trial_id = a.trial_id WHERE {filter}", args))
            while (r.Read())
                if (trials.TryGetValue(r.GetInt32(0), out var t)) t.UserAttrs[r.GetString(1)] = r.GetString(2);
        using (var r = Reader(c, tx, "SELECT a.trial_id, a.\"key\" FROM trial_system_attributes a "
            + $"JOIN trials t ON t.trial_id = a.trial_id WHERE {filter}", args))
            while (r.Read())
                if (trials.TryGetValue(r.GetInt32(0), out var t)) t.SystemAttrKeys.Add(r.GetString(1));
        return trials.Values.ToList();
    }

    private static double? FromStored(double? value, object type) => Convert.ToString(type, CultureInfo.InvariantCulture) switch
    {
        "INF_POS" => double.PositiveInfinity,
        "INF_NEG" => double.NegativeInfinity,
        "NAN" => double.NaN,
        _ => value,
    };

    private static void InsertIntermediate(StudyStorage storage, DbConnection c, DbTransaction tx, int trialId, int step, double v)
    {
        var type = double.IsNaN(v) ? "NAN" : double.IsPositiveInfinity(v) ? "INF_POS" : double.IsNegativeInfinity(v) ? "INF_NEG" : "FINITE";
        Exec(c, tx, "INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, intermediate_value_type) "
            + "VALUES (@t, @e, @v, " + storage.Enum("@vt", OptunaSchema.IntermediateType.Type) + ")",
            ("t", trialId), ("e", step), ("v", type == "FINITE" ? v : DBNull.Value), ("vt", type));
    }

    private static void SetAttr(DbConnection c, DbTransaction tx, string owner, int id, string key, string json, bool user)
    {
        var table = $"{owner}_{(user ? "user" : "system")}_attributes";
        Exec(c, tx, $"DELETE FROM {table} WHERE {owner}_id = @i AND \"key\" = @k", ("i", id), ("k", key));
        Exec(c, tx, $"INSERT INTO {table} ({owner}_id, \"key\", value_json) VALUES (@i, @k, @v)", ("i", id), ("k", key), ("v", json));
    }

    private static bool HasTables(StudyStorage storage, DbConnection c, DbTransaction tx) =>
        Scalar(c, tx, storage.TableExists, ("table", "alembic_version")) is not (null or 0L);

    private static void CheckVersion(StudyStorage storage, DbConnection c, DbTransaction tx)
    {
        var v = Convert.ToString(Scalar(c, tx, "SELECT version_num FROM alembic_version"), CultureInfo.InvariantCulture);
        if (v != OptunaSchema.AlembicRevision)
            throw new KerasException("StudySchemaVersion", ErrorKind.InvalidData,
                $"{storage.Display} has Optuna's schema revision {v ?? "none"}; KerasPS reads and writes {OptunaSchema.AlembicRevision} "
                + "(Optuna 3.1). Use a database of that Optuna version, or a new one.") { Target = v };
    }

    private static KerasException NotKerasPS(StudyInfo s) => new("StudyNotKerasPS", ErrorKind.InvalidOperation,
        $"Study '{s.Name}' was not created by New-SweepStudy, so it has no KerasPS search space. Read it with Get-SweepTrial, "
        + "or create a KerasPS study with New-SweepStudy.") { Target = s.Name };

    internal static string J<T>(T value) => JsonSerializer.Serialize(value);

    private static string? Str(Dictionary<string, string> attrs, string key)
    {
        if (!attrs.TryGetValue(key, out var json)) return null;
        try
        {
            var n = JsonNode.Parse(json);
            return n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n?.ToJsonString();
        }
        catch (JsonException) { return json; }
    }

    private static double Num(Dictionary<string, string> attrs, string key, double fallback)
    {
        if (!attrs.TryGetValue(key, out var json)) return fallback;
        return double.TryParse(json, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : fallback;
    }

    private static DbCommand Command(DbConnection c, DbTransaction tx, string sql, (string Name, object Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            if (!sql.Contains("@" + name, StringComparison.Ordinal)) continue;
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    internal static int Exec(DbConnection c, DbTransaction tx, string sql, params (string, object)[] args)
    {
        using var cmd = Command(c, tx, sql, args);
        return cmd.ExecuteNonQuery();
    }

    internal static object? Scalar(DbConnection c, DbTransaction tx, string sql, params (string, object)[] args)
    {
        using var cmd = Command(c, tx, sql, args);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v is int i ? (long)i : v;
    }

    // The command stays undisposed: disposing it would close the reader it hands out (Microsoft.Data.Sqlite).
    private static DbDataReader Reader(DbConnection c, DbTransaction tx, string sql, params (string, object)[] args) =>
        Command(c, tx, sql, args).ExecuteReader();
}
