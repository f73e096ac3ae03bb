import TemperModel
import TemperSystem
import Logging

/// One step of a pipeline. The executor knows stages only through this protocol: it asks
/// for a plan (commands as values, which decide the fingerprint), and runs `execute` only when
/// no valid checkpoint of that plan exists.
public protocol Stage: Sendable {
    var id: StageID { get }
    /// The stages whose outputs this one reads (wired by the composer); their fingerprints
    /// and output digests enter this one's.
    var consumes: [StageID] { get }
    func plan(_ context: PlanContext) throws -> StagePlan
    /// Runs `context.stagePlan`, the very plan the fingerprint was computed from (with
    /// `{jobs}` rendered); a stage never re-plans or patches commands here.
    func execute(_ context: StageContext) async throws -> StageResult
}

extension Stage {
    public var name: String { id.rawValue }
}

/// A stage's commands and settings, computed before anything runs.
public struct StagePlan: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var label: String
        public var command: Command

        public init(_ label: String, _ command: Command) {
            self.label = label
            self.command = command
        }
    }

    public var steps: [Step]
    /// Everything else that decides the output (injected flags, settings), for the fingerprint.
    public var material: [String: String]

    public init(steps: [Step], material: [String: String] = [:]) {
        self.steps = steps
        self.material = material
    }
}

public struct PlanContext: Sendable {
    public var workDir: WorkDir
    /// Parallel jobs for builds; nil while fingerprinting, so `{jobs}` stays symbolic.
    public var jobs: Int?
    /// Records of completed upstream stages; missing when planning ahead of a run.
    public var upstream: [StageID: StageRecord]
    /// Inputs shared by every stage (toolchain identity, source digest), as fingerprinted.
    public var shared: [String: String]
    /// Stages whose checkpoint holds and that nothing in this run can invalidate (they read
    /// no other stage); work done ahead for them would only destroy a valid result.
    public var settled: Set<StageID>

    public init(workDir: WorkDir, jobs: Int?, upstream: [StageID: StageRecord] = [:], shared: [String: String] = [:], settled: Set<StageID> = []) {
        self.workDir = workDir
        self.jobs = jobs
        self.upstream = upstream
        self.shared = shared
        self.settled = settled
    }

    public var jobsText: String { jobs.map(String.init) ?? "{jobs}" }
}

extension StagePlan {
    /// The plan as it runs: `{jobs}` rendered. Jobs is the one value left out of fingerprints
    /// (changing `--jobs` rebuilds nothing), so the executor, not a stage, fills it in.
    public func rendered(jobs: Int) -> StagePlan {
        var plan = self
        for index in plan.steps.indices {
            plan.steps[index].command = plan.steps[index].command.rendering(jobs: jobs)
        }
        return plan
    }

    /// The command of the step with this label; a missing label is a bug in the stage.
    public func command(_ label: String) throws -> Command {
        guard let step = steps.first(where: { $0.label == label }) else {
            throw StageError(stage: "plan", message: "internal error: the plan has no step `\(label)`.")
        }
        return step.command
    }
}

public struct StageContext: Sendable {
    public var plan: PlanContext
    public var runner: any ProcessRunning
    public var logger: Logger
    public var progress: any ProgressSink
    public var items: ItemCheckpoint
    /// The stage's plan exactly as fingerprinted, with `{jobs}` rendered.
    public var stagePlan: StagePlan
    /// The stage's own directory, and its main log file.
    public var directory: String
    public var logPath: String

    public var workDir: WorkDir { plan.workDir }
}

/// What a stage produced. The executor hashes `outputs` and checks them before any reuse.
public struct StageResult: Sendable, Equatable {
    /// Absolute paths of output files, all inside the work dir.
    public var outputs: [String]
    public var counts: [String: Int]
    public var named: [String: String]
    /// A note for the progress line and the state (e.g. "3 tasks reused").
    public var message: String?

    public init(outputs: [String], counts: [String: Int] = [:], named: [String: String] = [:], message: String? = nil) {
        self.outputs = outputs
        self.counts = counts
        self.named = named
        self.message = message
    }
}

/// What the terminal shows while a run goes on.
public protocol ProgressSink: Sendable {
    /// `reason` says why the stage runs: "it has not run", "its inputs changed", ...
    func stageStarted(_ stage: String, reason: String)
    /// Called periodically while a stage runs, so long builds show that they progress.
    func stageRunning(_ stage: String, seconds: Double)
    func stageFinished(_ stage: String, outcome: StageOutcome, seconds: Double, note: String?)
    /// A task (item) started; lets a live display name the slowest running one.
    func itemStarted(_ stage: String, item: String, total: Int)
    func itemFinished(_ stage: String, item: String, done: Int, total: Int, ok: Bool)
}
