import Foundation
import Logging

/// Runs stages in order, reusing every stage whose fingerprint and outputs still hold, and
/// re-running a stage whose inputs changed together with everything downstream of it.
public struct PipelineExecutor: Sendable {
    public struct Options: Sendable {
        /// Force execution from this stage on (earlier ones must have valid checkpoints).
        public var from: String?
        /// Stop after this stage; later ones are reported as pending.
        public var to: String?
        public var jobs: Int

        public init(from: String? = nil, to: String? = nil, jobs: Int) {
            self.from = from
            self.to = to
            self.jobs = jobs
        }
    }

    public struct StageReport: Sendable, Equatable {
        public var name: String
        public var outcome: StageOutcome
        public var seconds: Double
        public var fingerprint: String?
        public var message: String?
        /// For a reused stage: how long its reused execution took.
        public var previousSeconds: Double?
    }

    let workDir: WorkDir
    let store: StateStore
    let runner: any ProcessRunning
    let progress: any ProgressSink
    let logger: Logger
    /// Inputs shared by every stage (toolchain identity, source digest) for fingerprints.
    let sharedMaterial: [String: String]

    public init(
        workDir: WorkDir, store: StateStore, runner: any ProcessRunning, progress: any ProgressSink,
        logger: Logger, sharedMaterial: [String: String]
    ) {
        self.workDir = workDir
        self.store = store
        self.runner = runner
        self.progress = progress
        self.logger = logger
        self.sharedMaterial = sharedMaterial
    }

    /// Runs the stages. On failure or interruption the reports so far are passed to `finished`
    /// before the error propagates, so a report can be written for every run.
    public func run(_ stages: [any Stage], options: Options) async throws -> [StageReport] {
        let names = stages.map(\.name)
        for requested in [options.from, options.to].compactMap({ $0 }) where !names.contains(requested) {
            throw PipelineError.unknownStage(requested, known: names)
        }
        let fromIndex = options.from.flatMap { names.firstIndex(of: $0) }
        let toIndex = options.to.flatMap { names.firstIndex(of: $0) } ?? names.count - 1
        var reports: [StageReport] = []
        var executed: Set<String> = []
        var records: [String: StageRecord] = [:]

        for (index, stage) in stages.enumerated() {
            if index > toIndex {
                reports.append(StageReport(name: stage.name, outcome: .pending, seconds: 0))
                continue
            }
            let upstream = Dictionary(uniqueKeysWithValues: stage.consumes.compactMap { name in records[name].map { (name, $0) } })
            let fingerprint = try fingerprint(of: stage, upstream: upstream)
            let previous = await store.record(stage.name)
            let forced = fromIndex.map { index >= $0 } ?? false
            let staleReason = reason(toRun: stage, previous: previous, fingerprint: fingerprint, executed: executed)

            if !forced, staleReason == nil, let previous {
                try await store.update(stage.name) { $0?.outcome = .reused }
                records[stage.name] = previous
                reports.append(StageReport(name: stage.name, outcome: .reused, seconds: 0, fingerprint: fingerprint, message: previous.message, previousSeconds: previous.seconds))
                progress.stageFinished(stage.name, outcome: .reused, seconds: 0, note: nil)
                continue
            }
            if let fromIndex, index < fromIndex {
                throw PipelineError.cannotStartFrom(options.from!, blocker: stage.name, reason: staleReason ?? "it has not run")
            }
            do {
                // A forced stage starts over; otherwise items finished under this fingerprint are kept.
                let items = forced ? nil : previous?.items
                let reason = forced ? "--from \(options.from!)" : staleReason ?? "it has not run"
                let (record, report) = try await execute(stage, fingerprint: fingerprint, reason: reason, items: items, upstream: upstream, jobs: options.jobs)
                records[stage.name] = record
                executed.insert(stage.name)
                reports.append(report)
            } catch let failure as StageFailure {
                reports.append(failure.report)
                throw PipelineError.halted(reports: reports + stages[(index + 1)...].map { StageReport(name: $0.name, outcome: .pending, seconds: 0) }, cause: failure.cause)
            }
        }
        return reports
    }

    /// Why a stage must run again, or nil when its checkpoint holds.
    func reason(toRun stage: any Stage, previous: StageRecord?, fingerprint: String, executed: Set<String>) -> String? {
        guard let previous else { return "it has not run" }
        guard previous.status == .completed else { return "its last run \(previous.status.rawValue == "running" ? "was killed" : previous.status.rawValue)" }
        guard previous.fingerprint == fingerprint else { return "its inputs changed" }
        if let upstream = stage.consumes.first(where: executed.contains) { return "\(upstream) ran again" }
        for (relative, digest) in previous.outputs.sorted(by: { $0.key < $1.key }) {
            guard FileDigest.sha256(of: workDir.absolute(relative)) == digest else {
                return "its output \(relative) is missing or altered"
            }
        }
        return nil
    }

    func fingerprint(of stage: any Stage, upstream: [String: StageRecord]) throws -> String {
        let plan = try stage.plan(PlanContext(workDir: workDir, jobs: nil, upstream: upstream, shared: sharedMaterial))
        var fingerprint = Fingerprint()
        fingerprint.add("stage", stage.name)
        for (key, value) in sharedMaterial.sorted(by: { $0.key < $1.key }) { fingerprint.add("shared." + key, value) }
        for (index, step) in plan.steps.enumerated() { fingerprint.add("step\(index).\(step.label)", step.command) }
        for (key, value) in plan.material.sorted(by: { $0.key < $1.key }) { fingerprint.add("material." + key, value) }
        for name in stage.consumes {
            let record = upstream[name]
            fingerprint.add("upstream." + name, record?.fingerprint ?? "none")
            let outputs = (record?.outputs ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            fingerprint.add("upstream." + name + ".outputs", outputs.joined(separator: "\n"))
        }
        return fingerprint.finalize()
    }

    struct StageFailure: Error {
        var report: StageReport
        var cause: any Error
    }

    func execute(_ stage: any Stage, fingerprint: String, reason: String, items previousItems: ItemCheckpoints?, upstream: [String: StageRecord], jobs: Int) async throws -> (StageRecord, StageReport) {
        // Item checkpoints survive only under the same fingerprint, and only with intact files.
        var items = previousItems?.fingerprint == fingerprint ? previousItems! : ItemCheckpoints(fingerprint: fingerprint)
        items.done = items.done.filter { _, files in
            files.allSatisfy { FileDigest.sha256(of: workDir.absolute($0.key)) == $0.value }
        }
        let startedItems = items
        try await store.update(stage.name) { record in
            var fresh = StageRecord(fingerprint: fingerprint, status: .running, outcome: .executed, seconds: 0)
            fresh.items = startedItems
            record = fresh
        }
        let directory = workDir.stageDirectory(stage.name)
        try workDir.makeDirectory(directory)
        try workDir.makeDirectory(workDir.logs)
        var stageLogger = logger
        stageLogger[metadataKey: "stage"] = .string(stage.name)
        let context = StageContext(
            plan: PlanContext(workDir: workDir, jobs: jobs, upstream: upstream, shared: sharedMaterial), runner: runner, logger: stageLogger,
            progress: progress,
            items: ItemCheckpoint(store: store, stage: stage.name, workDir: workDir, done: items.done.mapValues { $0.keys.map(workDir.absolute) }),
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
            let result = try await stage.execute(context)
            try Task.checkCancellation()
            let seconds = start.duration(to: .now).seconds
            var outputs: [String: String] = [:]
            for path in result.outputs {
                guard workDir.contains(path), let digest = FileDigest.sha256(of: path) else {
                    throw StageError(stage: stage.name, message: "its output \(path) is missing after the stage finished.")
                }
                outputs[workDir.relative(path)] = digest
            }
            var finalRecord: StageRecord?
            try await store.update(stage.name) { record in
                record?.status = .completed
                record?.outcome = .executed
                record?.seconds = seconds
                record?.outputs = outputs
                record?.counts = result.counts
                record?.named = result.named
                record?.message = result.message
                finalRecord = record
            }
            progress.stageFinished(stage.name, outcome: .executed, seconds: seconds, note: result.message)
            return (finalRecord!, StageReport(name: stage.name, outcome: .executed, seconds: seconds, fingerprint: fingerprint, message: result.message))
        } catch {
            let seconds = start.duration(to: .now).seconds
            let interrupted = error is CancellationError || Task.isCancelled
            let outcome: StageOutcome = interrupted ? .interrupted : .failed
            let message = interrupted ? "interrupted" : "\(error)"
            try? await store.update(stage.name) { record in
                record?.status = interrupted ? .interrupted : .failed
                record?.outcome = outcome
                record?.seconds = seconds
                record?.message = message
            }
            progress.stageFinished(stage.name, outcome: outcome, seconds: seconds, note: interrupted ? nil : "see below")
            throw StageFailure(
                report: StageReport(name: stage.name, outcome: outcome, seconds: seconds, fingerprint: fingerprint, message: message),
                cause: interrupted ? PipelineError.interrupted(stage: stage.name) : error)
        }
    }
}

/// Errors of a pipeline run as a whole.
public enum PipelineError: Error, CustomStringConvertible {
    case unknownStage(String, known: [String])
    case cannotStartFrom(String, blocker: String, reason: String)
    case interrupted(stage: String)
    /// A stage failed or was interrupted; carries the stage list for the report.
    indirect case halted(reports: [PipelineExecutor.StageReport], cause: any Error)

    public var description: String {
        switch self {
        case .unknownStage(let name, let known):
            return "unknown stage `\(name)`; the stages of this pipeline are: \(known.joined(separator: ", "))."
        case .cannotStartFrom(let from, let blocker, let reason):
            return "cannot start at \(from): the earlier stage \(blocker) has no valid checkpoint (\(reason)). Run without --from first."
        case .interrupted(let stage):
            return "interrupted during \(stage); its processes were stopped. Run again to resume."
        case .halted(_, let cause):
            return "\(cause)"
        }
    }
}
