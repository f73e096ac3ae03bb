import Foundation
import TemperModel
import TemperSystem
import Logging

/// One step of a pipeline. The executor knows stages only through this protocol: it asks
/// for a plan (a typed value holding everything the stage will do, which decides the
/// fingerprint), and runs `execute` with that very plan only when no valid checkpoint of it exists.
public protocol Stage: Sendable {
    associatedtype Plan: StagePlan
    var id: StageID { get }
    /// The stages whose outputs this one reads (wired by the composer); their fingerprints
    /// and output digests enter this one's.
    var consumes: [StageID] { get }
    func plan(_ context: PlanContext) throws -> Plan
    /// Runs `plan`, the very plan the fingerprint was computed from (with `{jobs}` rendered).
    /// Execute reads nothing else from upstream: what it needs is a field of its plan.
    func execute(_ plan: Plan, _ context: StageContext) async throws -> StageResult
}

extension Stage {
    public var name: String { id.rawValue }
}

/// A stage's plan: a typed value, computed before anything runs, that holds every command the
/// stage may start and every input it read from upstream records. It is fingerprinted whole
/// (its canonical JSON), printed by `temper plan` through `steps`, and handed to `execute`.
public protocol StagePlan: Sendable, Equatable, Encodable {
    /// Every process the stage may start, in order, labelled for people (`temper plan`, the
    /// state's records). Labels are for display only: nothing looks a command up by its label.
    var steps: [PlanStep] { get }
    /// The same plan with every command transformed: the executor renders `{jobs}` with it.
    func mapCommands(_ transform: (Command) -> Command) -> Self
}

extension StagePlan {
    /// The plan as it runs: `{jobs}` rendered. Jobs is the one value left out of fingerprints
    /// (changing `--jobs` rebuilds nothing), so the executor, not a stage, fills it in.
    public func rendered(jobs: Int) -> Self {
        mapCommands { $0.rendering(jobs: jobs) }
    }

    /// The canonical form the fingerprint hashes: JSON with sorted keys.
    public var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

/// One command of a plan, with a label for people.
public struct PlanStep: Sendable, Equatable, Codable {
    public var label: String
    public var command: Command
    /// The training task this command runs, when it is one: recorded with the step, so readers
    /// of the state (bundle export) know the task by identity, not by parsing a label.
    public var task: String?

    public init(_ label: String, _ command: Command, task: String? = nil) {
        self.label = label
        self.command = command
        self.task = task
    }
}

/// An item of a plan that carries one command (an artifact's llvm-bolt run, a task), so a
/// plan maps its items' commands in one line.
public protocol CommandItem: Sendable, Equatable, Encodable {
    var command: Command { get set }
}

extension Array where Element: CommandItem {
    /// The items with every command transformed (for `StagePlan.mapCommands`).
    public func mappingCommands(_ transform: (Command) -> Command) -> [Element] {
        map { item in
            var item = item
            item.command = transform(item.command)
            return item
        }
    }
}

/// A plan item that runs one command for one named artifact.
public protocol ArtifactCommand: CommandItem {
    var name: String { get }
}

/// A plan that is one command per artifact (bolt-instrument, bolt-merge): its steps and
/// command mapping come from the list.
public protocol ArtifactCommandsPlan: StagePlan {
    associatedtype Artifact: ArtifactCommand
    var artifacts: [Artifact] { get set }
    /// The step label's first word, e.g. "instrument".
    static var stepName: String { get }
}

extension ArtifactCommandsPlan {
    public var steps: [PlanStep] { artifacts.map { PlanStep("\(Self.stepName) \($0.name)", $0.command) } }

    public func mapCommands(_ transform: (Command) -> Command) -> Self {
        var plan = self
        plan.artifacts = artifacts.mappingCommands(transform)
        return plan
    }
}

/// A file a stage copies into its own directory before it runs (a profile, say), read from an
/// upstream record while planning.
public struct FileCopy: Sendable, Equatable, Codable {
    public var source: String
    public var destination: String

    public init(source: String, destination: String) {
        self.source = source
        self.destination = destination
    }
}

/// A plan that is only a list of commands, run in order (test stages, simple tools).
public struct CommandList: StagePlan {
    public var steps: [PlanStep]

    public init(_ steps: [PlanStep]) {
        self.steps = steps
    }

    public func mapCommands(_ transform: (Command) -> Command) -> CommandList {
        CommandList(steps.map { PlanStep($0.label, transform($0.command)) })
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

public struct StageContext: Sendable {
    public var plan: PlanContext
    public var runner: any ProcessRunning
    public var logger: Logger
    public var progress: any ProgressSink
    public var items: ItemCheckpoint
    /// The stage's own directory, and its main log file.
    public var directory: String
    public var logPath: String

    public var workDir: WorkDir { plan.workDir }

    /// A stage that rebuilds its whole directory starts here: the directory emptied, the log gone.
    public func startFresh() throws {
        try workDir.freshDirectory(directory)
        try workDir.remove(logPath)
    }
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
