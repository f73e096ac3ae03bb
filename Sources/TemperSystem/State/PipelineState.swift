import TemperModel
/// What a work dir remembers between runs: per stage, the fingerprint it ran with, how it
/// ended, and the digests of its outputs (so altered outputs are noticed). Versioned JSON.
public struct PipelineState: Codable, Sendable, Equatable {
    public static let currentVersion = 1
    public static let marker = "temper-work-dir"

    public var version = PipelineState.currentVersion
    /// temper's own marker (`PipelineState.marker`): a directory is a work dir only when its
    /// state.json carries it (or, written by an older temper, decodes as this type whole).
    public var kind: String? = PipelineState.marker
    public var profile: String
    public var stages: [String: StageRecord] = [:]
    /// Which stage plays which part in the last run's pipeline, as the composer wired it: what
    /// `temper bundle export` reads records through (added in temper 0.15; absent before).
    public var roles: StageRoles?

    public init(profile: String) {
        self.profile = profile
    }
}

public struct StageRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Started and not finished: a run that was killed leaves this behind.
        case running, completed, failed, interrupted
    }

    public var fingerprint: String
    public var status: Status
    /// The outcome of the stage in the last run (`executed`, `reused`, `failed`, ...).
    public var outcome: StageOutcome
    public var seconds: Double
    /// Output files, relative to the work dir, with their SHA-256.
    public var outputs: [String: String] = [:]
    /// Figures the stage found (profile counts, diagnostics), for the report.
    public var counts: [String: Int] = [:]
    /// Named outputs (e.g. "profdata"), relative to the work dir.
    public var named: [String: String] = [:]
    /// Per-item checkpoints (train tasks), valid only for `items.fingerprint`.
    public var items: ItemCheckpoints?
    public var message: String?
    /// The shared inputs the stage ran with (toolchain identity, source digest), so a work
    /// dir can say later which sources and tools made an output (a profile bundle does).
    public var inputs: [String: String]?
    /// The commands the stage ran, as run, each with its own fingerprint.
    public var steps: [RecordedStep]?

    public init(fingerprint: String, status: Status, outcome: StageOutcome, seconds: Double) {
        self.fingerprint = fingerprint
        self.status = status
        self.outcome = outcome
        self.seconds = seconds
    }
}

/// Items of a stage that finished, so an interrupted stage resumes at the unfinished ones.
public struct ItemCheckpoints: Codable, Sendable, Equatable {
    public var fingerprint: String
    /// Item name to its output files (relative to the work dir) and their SHA-256.
    public var done: [String: [String: String]] = [:]

    public init(fingerprint: String) {
        self.fingerprint = fingerprint
    }
}


/// One command of an executed stage, as recorded in the state.
public struct RecordedStep: Codable, Sendable, Equatable {
    public var label: String
    public var command: String
    /// SHA-256 of the label and the full command (environment and directory included).
    public var fingerprint: String
    /// The training task this command runs, when it is one (its identity, not its label).
    public var task: String?

    public init(label: String, command: String, fingerprint: String, task: String? = nil) {
        self.label = label
        self.command = command
        self.fingerprint = fingerprint
        self.task = task
    }
}

/// The parts stages play in a pipeline, by stage id: written by the run from the composer's
/// graph, so readers of a work dir (bundle export) never hard-code the graph.
public struct StageRoles: Codable, Sendable, Equatable {
    /// The PGO training stage (raw profiles), when the pipeline trains.
    public var training: StageID?
    /// The stage holding the merged PGO profile (merge, or a bundle's import).
    public var profileData: StageID
    /// The stage that imported a profile bundle in place of training, if any.
    public var bundleImport: StageID?
    /// The BOLT training stage and the stage holding the merged BOLT profiles.
    public var boltTraining: StageID?
    public var boltProfiles: StageID?
    /// The PGO+LTO build, and the stage holding BOLT's account.
    public var optimizedBuild: StageID
    public var boltResult: StageID?
    /// The build BOLT works on and its profiles name (bolt-build); absent in older state files,
    /// whose optimize build was BOLT's input.
    public var boltInput: StageID?

    public init(
        training: StageID?, profileData: StageID, bundleImport: StageID?, boltTraining: StageID?, boltProfiles: StageID?, optimizedBuild: StageID,
        boltResult: StageID?, boltInput: StageID? = nil
    ) {
        self.boltInput = boltInput
        self.training = training
        self.profileData = profileData
        self.bundleImport = bundleImport
        self.boltTraining = boltTraining
        self.boltProfiles = boltProfiles
        self.optimizedBuild = optimizedBuild
        self.boltResult = boltResult
    }
}
