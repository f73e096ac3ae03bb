import TemperModel
import TemperSystem
import Foundation
import Logging

/// Runs stages in order, reusing every stage whose fingerprint and outputs still hold, and
/// re-running a stage whose inputs changed together with everything downstream of it.
public struct PipelineExecutor: Sendable {
    public struct Options: Sendable {
        /// Force execution from this stage on (earlier ones must have valid checkpoints).
        public var from: StageID?
        /// Stop after this stage; later ones are reported as pending.
        public var to: StageID?
        public var jobs: Int

        public init(from: StageID? = nil, to: StageID? = nil, jobs: Int) {
            self.from = from
            self.to = to
            self.jobs = jobs
        }
    }

    public struct StageReport: Sendable, Equatable {
        public var id: StageID
        public var name: String { id.rawValue }
        public var outcome: StageOutcome
        public var seconds: Double
        public var fingerprint: String?
        public var message: String?
        /// For a reused stage: how long its reused execution took.
        public var previousSeconds: Double?

        public init(id: StageID, outcome: StageOutcome, seconds: Double, fingerprint: String? = nil, message: String? = nil, previousSeconds: Double? = nil) {
            self.id = id
            self.outcome = outcome
            self.seconds = seconds
            self.fingerprint = fingerprint
            self.message = message
            self.previousSeconds = previousSeconds
        }

        /// Whether the stage's record holds for this run's inputs: it ran now, or its
        /// checkpoint was proven current. Only such records may be published or reported.
        public var isCurrent: Bool { outcome == .executed || outcome == .reused }
    }

    /// Refuses `--from`/`--to` names that are not stages of this pipeline, before anything
    /// is locked, created or built.
    public static func check(_ options: Options, stages: [any Stage]) throws {
        let ids = stages.map(\.id)
        for requested in [options.from, options.to].compactMap({ $0 }) where !ids.contains(requested) {
            throw PipelineError.unknownStage(requested.rawValue, known: ids.map(\.rawValue))
        }
        if let from = options.from, let to = options.to, let f = ids.firstIndex(of: from), let t = ids.firstIndex(of: to), f > t {
            throw PipelineError.emptyRange(from: from.rawValue, to: to.rawValue)
        }
    }

    let workDir: WorkDir
    let store: StateStore
    let runner: any ProcessRunning
    let progress: any ProgressSink
    let logger: Logger
    /// Inputs shared by every stage (toolchain identity, source digest) for fingerprints.
    let sharedMaterial: [String: String]
    /// Output digests remembered by stat, so that checking a reused stage reads no file.
    let digests: DigestCache

    public init(
        workDir: WorkDir, store: StateStore, runner: any ProcessRunning, progress: any ProgressSink,
        logger: Logger, sharedMaterial: [String: String], digests: DigestCache? = nil
    ) {
        self.workDir = workDir
        self.store = store
        self.runner = runner
        self.progress = progress
        self.logger = logger
        self.sharedMaterial = sharedMaterial
        self.digests = digests ?? DigestCache(path: workDir.cache + "/output-stat.json")
    }

    /// Runs the stages. On failure or interruption the reports so far are passed to `finished`
    /// before the error propagates, so a report can be written for every run.
    public func run(_ stages: [any Stage], options: Options) async throws -> [StageReport] {
        try Self.check(options, stages: stages)
        defer { digests.save() }
        let ids = stages.map(\.id)
        let fromIndex = options.from.flatMap { ids.firstIndex(of: $0) }
        let toIndex = options.to.flatMap { ids.firstIndex(of: $0) } ?? ids.count - 1
        var reports: [StageReport] = []
        var executed: Set<StageID> = []
        var records: [StageID: StageRecord] = [:]
        let settled = try await settledStages(stages, fromIndex: fromIndex, toIndex: toIndex)

        for (index, stage) in stages.enumerated() {
            if index > toIndex {
                reports.append(StageReport(id: stage.id, outcome: .pending, seconds: 0))
                continue
            }
            let upstream = Dictionary(uniqueKeysWithValues: stage.consumes.compactMap { id in records[id].map { (id, $0) } })
            let plan = try stage.plan(PlanContext(workDir: workDir, jobs: nil, upstream: upstream, shared: sharedMaterial))
            let fingerprint = fingerprint(of: stage, plan: plan, upstream: upstream)
            let previous = await store.record(stage.id)
            let forced = fromIndex.map { index >= $0 } ?? false
            let staleReason = reason(toRun: stage, previous: previous, fingerprint: fingerprint, executed: executed)

            if !forced, staleReason == nil, let previous {
                // Same fingerprint, so the same shared inputs and plan: a record from an older
                // temper gets them now.
                let recorded = Self.recordedSteps(plan)
                let shared = sharedMaterial
                try await store.update(stage.id) { record in
                    record?.outcome = .reused
                    if record?.inputs == nil { record?.inputs = shared }
                    if record?.steps == nil { record?.steps = recorded }
                }
                records[stage.id] = previous
                reports.append(StageReport(id: stage.id, outcome: .reused, seconds: 0, fingerprint: fingerprint, message: previous.message, previousSeconds: previous.seconds))
                progress.stageFinished(stage.name, outcome: .reused, seconds: 0, note: nil)
                continue
            }
            if let fromIndex, index < fromIndex {
                throw PipelineError.cannotStartFrom(options.from!.rawValue, blocker: stage.name, reason: staleReason ?? "it has not run")
            }
            do {
                // A forced stage starts over; otherwise items finished under this fingerprint are kept.
                let items = forced ? nil : previous?.items
                let reason = forced ? "--from \(options.from!)" : staleReason ?? "it has not run"
                let (record, report) = try await execute(
                    stage, plan: plan.rendered(jobs: options.jobs), fingerprint: fingerprint, reason: reason, items: items,
                    upstream: upstream, jobs: options.jobs, settled: settled)
                records[stage.id] = record
                executed.insert(stage.id)
                reports.append(report)
            } catch let failure as StageFailure {
                reports.append(failure.report)
                throw PipelineError.halted(reports: reports + stages[(index + 1)...].map { StageReport(id: $0.id, outcome: .pending, seconds: 0) }, cause: failure.cause)
            }
        }
        return reports
    }

    /// Whether every one of `stages` (in order, each reading the ones before it) would be
    /// reused as it is recorded: same plan, same shared inputs, intact outputs. Nothing runs and
    /// nothing is written. Asked with the shared inputs a past run had (the sources its training
    /// saw), it tells whether only those changed since.
    public func holds(_ stages: [any Stage]) async throws -> Bool {
        var records: [StageID: StageRecord] = [:]
        for stage in stages {
            let upstream = Dictionary(uniqueKeysWithValues: stage.consumes.compactMap { id in records[id].map { (id, $0) } })
            let plan = try stage.plan(PlanContext(workDir: workDir, jobs: nil, upstream: upstream, shared: sharedMaterial))
            let previous = await store.record(stage.id)
            guard let previous, reason(toRun: stage, previous: previous, fingerprint: fingerprint(of: stage, plan: plan, upstream: upstream), executed: []) == nil else {
                return false
            }
            records[stage.id] = previous
        }
        return true
    }

    /// Stages that read no other stage and whose checkpoint holds now: nothing this run does
    /// can change them, so work done ahead (a configure) must leave their directories alone.
    func settledStages(_ stages: [any Stage], fromIndex: Int?, toIndex: Int) async throws -> Set<StageID> {
        var settled: Set<StageID> = []
        for (index, stage) in stages.enumerated() where stage.consumes.isEmpty {
            if let fromIndex, index >= fromIndex, index <= toIndex { continue }
            let plan = try stage.plan(PlanContext(workDir: workDir, jobs: nil, shared: sharedMaterial))
            let fingerprint = fingerprint(of: stage, plan: plan, upstream: [:])
            if reason(toRun: stage, previous: await store.record(stage.id), fingerprint: fingerprint, executed: []) == nil {
                settled.insert(stage.id)
            }
        }
        return settled
    }

    /// Why a stage must run again, or nil when its checkpoint holds.
    func reason(toRun stage: any Stage, previous: StageRecord?, fingerprint: String, executed: Set<StageID>) -> String? {
        guard let previous else { return "it has not run" }
        guard previous.status == .completed else { return "its last run \(previous.status.rawValue == "running" ? "was killed" : previous.status.rawValue)" }
        guard previous.fingerprint == fingerprint else { return "its inputs changed" }
        if let upstream = stage.consumes.first(where: executed.contains) { return "\(upstream) ran again" }
        for (relative, digest) in previous.outputs.sorted(by: { $0.key < $1.key }) {
            guard digests.sha256(of: workDir.absolute(relative)) == digest else {
                return "its output \(relative) is missing or altered"
            }
        }
        return nil
    }

    /// The SHA-256 of everything that decides the stage's output: its plan (with `{jobs}`
    /// symbolic), the shared inputs, and its upstream stages' fingerprints and output digests.
    func fingerprint(of stage: any Stage, plan: any StagePlan, upstream: [StageID: StageRecord]) -> String {
        var fingerprint = Fingerprint()
        fingerprint.add("stage", stage.name)
        for (key, value) in sharedMaterial.sorted(by: { $0.key < $1.key }) { fingerprint.add("shared." + key, value) }
        // The whole typed plan: every command and every input it read from upstream records.
        fingerprint.add("plan", plan.canonicalJSON)
        for id in stage.consumes {
            let record = upstream[id]
            fingerprint.add("upstream." + id.rawValue, record?.fingerprint ?? "none")
            let outputs = (record?.outputs ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            fingerprint.add("upstream." + id.rawValue + ".outputs", outputs.joined(separator: "\n"))
        }
        return fingerprint.finalize()
    }

    static func recordedSteps(_ plan: any StagePlan) -> [RecordedStep] {
        plan.steps.map { step in
            var fingerprint = Fingerprint()
            fingerprint.add(step.label, step.command)
            return RecordedStep(label: step.label, command: step.command.displayString, fingerprint: fingerprint.finalize(), task: step.task)
        }
    }

    /// Hands a stage its own plan, typed: the plan was computed by this very stage, so the
    /// cast holds; a mismatch would be a bug in the executor, reported, never a crash.
    static func perform<S: Stage>(_ stage: S, _ plan: any StagePlan, _ context: StageContext) async throws -> StageResult {
        guard let typed = plan as? S.Plan else {
            throw StageError(stage: stage.name, message: "internal error: the executor holds a plan of another type (\(type(of: plan))).")
        }
        return try await stage.execute(typed, context)
    }

    struct StageFailure: Error {
        var report: StageReport
        var cause: any Error
    }

    func execute(
        _ stage: any Stage, plan: any StagePlan, fingerprint: String, reason: String, items previousItems: ItemCheckpoints?,
        upstream: [StageID: StageRecord], jobs: Int, settled: Set<StageID>
    ) async throws -> (StageRecord, StageReport) {
        // Item checkpoints survive only under the same fingerprint, and only with intact files.
        var items = previousItems?.fingerprint == fingerprint ? previousItems! : ItemCheckpoints(fingerprint: fingerprint)
        items.done = items.done.filter { _, files in
            files.allSatisfy { digests.sha256(of: workDir.absolute($0.key)) == $0.value }
        }
        let startedItems = items
        try await store.update(stage.id) { record in
            var fresh = StageRecord(fingerprint: fingerprint, status: .running, outcome: .executed, seconds: 0)
            fresh.items = startedItems
            record = fresh
        }
        let directory = workDir.stageDirectory(stage.id)
        try workDir.makeDirectory(directory)
        try workDir.makeDirectory(workDir.logs)
        var stageLogger = logger
        stageLogger[metadataKey: "stage"] = .string(stage.name)
        let context = StageContext(
            plan: PlanContext(workDir: workDir, jobs: jobs, upstream: upstream, shared: sharedMaterial, settled: settled), runner: runner, logger: stageLogger,
            progress: progress,
            items: ItemCheckpoint(store: store, stage: stage.id, workDir: workDir, done: items.done.mapValues { $0.keys.map(workDir.absolute) }),
            directory: directory, logPath: workDir.log(stage.name))
        progress.stageStarted(stage.name, reason: reason)
        let start = ContinuousClock.now
        let progress = self.progress
        let heartbeat = Task {
            while true {
                try await Task.sleep(for: .seconds(15))
                progress.stageRunning(stage.name, seconds: start.duration(to: .now).seconds)
            }
        }
        defer { heartbeat.cancel() }
        do {
            let result = try await Self.perform(stage, plan, context)
            try Task.checkCancellation()
            let seconds = start.duration(to: .now).seconds
            var outputs: [String: String] = [:]
            for path in result.outputs {
                guard workDir.contains(path), let digest = digests.sha256(of: path) else {
                    throw StageError(stage: stage.name, message: "its output \(path) is missing after the stage finished.")
                }
                outputs[workDir.relative(path)] = digest
            }
            var finalRecord: StageRecord?
            try await store.update(stage.id) { record in
                record?.status = .completed
                record?.outcome = .executed
                record?.seconds = seconds
                record?.outputs = outputs
                record?.counts = result.counts
                record?.named = result.named
                record?.message = result.message
                record?.inputs = sharedMaterial
                record?.steps = Self.recordedSteps(plan)
                finalRecord = record
            }
            progress.stageFinished(stage.name, outcome: .executed, seconds: seconds, note: result.message)
            return (finalRecord!, StageReport(id: stage.id, outcome: .executed, seconds: seconds, fingerprint: fingerprint, message: result.message))
        } catch {
            let seconds = start.duration(to: .now).seconds
            let interrupted = error is CancellationError || Task.isCancelled
            let outcome: StageOutcome = interrupted ? .interrupted : .failed
            let message = interrupted ? "interrupted" : "\(error)"
            try? await store.update(stage.id) { record in
                record?.status = interrupted ? .interrupted : .failed
                record?.outcome = outcome
                record?.seconds = seconds
                record?.message = message
            }
            progress.stageFinished(stage.name, outcome: outcome, seconds: seconds, note: interrupted ? nil : "see below")
            throw StageFailure(
                report: StageReport(id: stage.id, outcome: outcome, seconds: seconds, fingerprint: fingerprint, message: message),
                cause: interrupted ? PipelineError.interrupted(stage: stage.name) : error)
        }
    }
}

/// Errors of a pipeline run as a whole.
public enum PipelineError: Error, CustomStringConvertible {
    case unknownStage(String, known: [String])
    case unknownTask(String, known: [String])
    case cannotStartFrom(String, blocker: String, reason: String)
    case emptyRange(from: String, to: String)
    /// An option about training (`--tasks`, `--from train`) in a run that builds from a bundle.
    case replacedByBundle(option: String)
    /// A command-line option whose value cannot be used (its message says why and what to give).
    case badOption(String)
    case interrupted(stage: String)
    /// A stage failed or was interrupted; carries the stage list for the report.
    indirect case halted(reports: [PipelineExecutor.StageReport], cause: any Error)

    public var description: String {
        switch self {
        case .unknownTask(let name, let known):
            return "--tasks: the profile has no training task `\(name)`; its tasks are: \(known.joined(separator: ", "))."
        case .unknownStage(let name, let known):
            return "unknown stage `\(name)`; the stages of this pipeline are: \(known.joined(separator: ", "))."
        case .cannotStartFrom(let from, let blocker, let reason):
            return "cannot start at \(from): the earlier stage \(blocker) has no valid checkpoint (\(reason)). Run without --from first."
        case .replacedByBundle(let option):
            return "\(option): this run builds from a profile bundle, and its import stage replaces the training stages (instrument, train, merge and their BOLT counterparts). Drop \(option.split(separator: " ").first ?? ""), or run without the bundle."
        case .badOption(let message):
            return message
        case .emptyRange(let from, let to):
            return "--from \(from) comes after --to \(to) in this pipeline, so nothing would run. Swap them or drop one."
        case .interrupted(let stage):
            return "interrupted during \(stage); its processes were stopped. Run again to resume."
        case .halted(_, let cause):
            return "\(cause)"
        }
    }
}


extension PipelineError: ExitCoded {
    public var exitStatus: Int32 {
        switch self {
        case .unknownStage, .unknownTask, .cannotStartFrom, .emptyRange, .replacedByBundle, .badOption: return ExitStatus.badInput
        case .interrupted: return ExitStatus.interrupted
        case .halted(_, let cause): return ExitStatus.of(cause)
        }
    }
}
