import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// Raw profile files under a directory (recursively: GCC mirrors object paths).
enum RawProfiles {
    /// The non-empty ones, and the empty ones (a runtime that created its file and could not write).
    static func scan(in directory: String, extension fileExtension: String) -> (files: [String], empty: [String]) {
        let manager = FileManager.default
        guard let enumerator = manager.enumerator(atPath: directory) else { return ([], []) }
        var files: [String] = []
        var empty: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let path = directory + "/" + relative
            guard relative.hasSuffix("." + fileExtension),
                let attributes = try? manager.attributesOfItem(atPath: path),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            if (attributes[.size] as? Int ?? 0) > 0 { files.append(path) } else { empty.append(path) }
        }
        return (files.sorted(), empty.sorted())
    }

    static func find(in directory: String, extension fileExtension: String) -> [String] {
        scan(in: directory, extension: fileExtension).files
    }
}

/// Runs the training tasks against an instrumented build, in parallel up to `jobs`, each with
/// a raw-profile directory of its own. Every finished task is checkpointed, so an interrupted
/// stage resumes at the tasks that had not finished. The same stage trains PGO (`train`) and
/// BOLT (`bolt-train`); only what it runs against and what it collects differ.
public struct TrainStage: Stage {
    /// What the tasks run against.
    public enum Target: Sendable {
        /// The PGO-instrumented build, writing raw profiles through the compiler's runtime.
        case pgo(ProfileRuntime)
        /// BOLT-instrumented copies of the BOLT artifacts (in `instrumented`), inside a mirror
        /// of the optimized build.
        case bolt(instrumented: StageOutputPath)
        /// The optimized build itself under `perf record`, converted by perf2bolt per artifact.
        case boltSample(BoltTools)
    }

    public let id: StageID
    let profile: PipelineProfile
    let target: Target
    /// The build tree the tasks run in (instrumented for PGO, optimized for BOLT), wired by the composer.
    let tree: StageOutputPath

    public init(id: StageID = .train, profile: PipelineProfile, toolchain: Toolchain, tree: StageOutputPath) {
        self.id = id
        self.profile = profile
        self.target = .pgo(toolchain.profileRuntime)
        self.tree = tree
    }

    public init(id: StageID = .boltTrain, boltTrainingFor profile: PipelineProfile, tools: BoltTools? = nil, tree: StageOutputPath, instrumented: StageOutputPath?) {
        self.id = id
        self.profile = profile
        if profile.bolt.mode == .sample, let tools {
            self.target = .boltSample(tools)
        } else {
            self.target = .bolt(instrumented: instrumented ?? StageOutputPath(.boltInstrument, "stages/bolt-instrument"))
        }
        self.tree = tree
    }

    public var consumes: [StageID] {
        if case .bolt(let instrumented) = target { return [instrumented.stage, tree.stage] }
        return [tree.stage]
    }

    /// Where the tasks' raw profiles go (`raw/TASK`), relative to the work dir: BOLT's
    /// instrumented binaries have this path baked in, so the composer hands it to that stage.
    public static func rawRoot(of id: StageID) -> String { "stages/\(id.rawValue)/raw" }

    /// The tasks' raw profiles (`raw/TASK/...`), for the composer to wire into the merge.
    public var rawProfiles: StageOutputPath { StageOutputPath(id, Self.rawRoot(of: id)) }

    var settings: TrainSettings {
        if case .pgo = target { return profile.train }
        return profile.boltTraining
    }

    var rawExtension: String {
        if case .pgo(let runtime) = target { return runtime.rawExtension }
        return "fdata"
    }

    var writeErrorMarker: String {
        if case .pgo(let runtime) = target { return runtime.writeErrorMarker }
        return BoltPaths.writeErrorMarker
    }

    /// The task's directory name: its name for PGO; for BOLT a fixed-length key, because the
    /// directory is written into a copy of the instrumented binary in place of a placeholder.
    func key(_ task: TrainTask) -> String {
        if case .pgo = target { return task.name }
        return BoltPaths.taskKey(task.name)
    }

    func rawDirectory(_ task: TrainTask, _ workDir: WorkDir) -> String {
        workDir.absolute(Self.rawRoot(of: id)) + "/" + key(task)
    }

    /// The mirror of the optimized build a BOLT training task runs in.
    func taskTree(_ workDir: WorkDir, key: String) -> String {
        workDir.stageDirectory(id) + "/tree/" + key
    }

    func command(for task: TrainTask, _ workDir: WorkDir) -> Command {
        let build: String
        var artifacts: [String: String]
        var environment: [String: String] = [:]
        var run = task.run
        switch target {
        case .pgo(let runtime):
            build = tree.absolute(in: workDir)
            artifacts = profile.artifactPaths(in: build)
            // A raw-profile directory per task: parallel tasks never share a file, and a task
            // can be redone without touching the others.
            environment = runtime.environment(rawDirectory: rawDirectory(task, workDir))
        case .bolt:
            // A mirror of the optimized build with this task's instrumented artifacts in place.
            build = taskTree(workDir, key: key(task))
            artifacts = profile.artifactPaths(in: build)
        case .boltSample(let tools):
            build = tree.absolute(in: workDir)
            artifacts = profile.artifactPaths(in: build)
            // cpu-clock: this kind of machine has no hardware counters and no LBR.
            run = [tools.perf?.path ?? "perf", "record", "-e", "cpu-clock", "-q", "-o", rawDirectory(task, workDir) + "/perf.data", "--"] + run
        }
        return profile.command(
            run: run, cwd: task.cwd, env: task.env, timeout: task.timeout, build: build, directory: build,
            artifacts: artifacts, environment: environment)
    }

    /// perf2bolt, once per BOLT artifact, from the task's perf.data into `raw/ARTIFACT/prof.fdata`.
    func conversionCommands(for task: TrainTask, tools: BoltTools, _ workDir: WorkDir) -> [(artifact: String, command: Command)] {
        let build = tree.absolute(in: workDir)
        let raw = rawDirectory(task, workDir)
        return profile.boltArtifacts.map { artifact in
            (artifact.name, ToolCommands.perf2bolt(
                tools, perfData: raw + "/perf.data", binary: build + "/" + artifact.path, output: raw + "/" + artifact.name + "/prof.fdata", directory: raw))
        }
    }

    public func plan(_ context: PlanContext) throws -> Plan {
        let workDir = context.workDir
        let tasks = settings.tasks.map { task in
            var planned = Plan.Task(name: task.name, key: key(task), rawDirectory: rawDirectory(task, workDir), run: command(for: task, workDir))
            if case .boltSample(let tools) = target {
                // Every process the stage starts is in the plan: the samples' conversion too.
                planned.conversions = conversionCommands(for: task, tools: tools, workDir).map { Plan.Conversion(artifact: $0.artifact, command: $0.command) }
            }
            if case .bolt = target {
                // Run only when a task fails: the same task on the uninstrumented PGO+LTO build tells
                // a program that fails anyway from one that BOLT's profile runtime broke.
                planned.check = uninstrumentedCommand(for: task, workDir)
            }
            return planned
        }
        return Plan(tasks: tasks, onFailure: settings.onFailure)
    }

    /// The training, as a value: each task's command, raw-profile directory, the check run on
    /// the uninstrumented build when it fails (BOLT), and perf2bolt per artifact (sampling).
    public struct Plan: StagePlan {
        public struct Conversion: Sendable, Equatable, Encodable {
            public var artifact: String
            public var command: Command
        }

        public struct Task: Sendable, Equatable, Encodable {
            public var name: String
            /// The task's directory name (see `TrainStage.key`).
            public var key: String
            public var rawDirectory: String
            public var run: Command
            public var check: Command?
            public var conversions: [Conversion] = []
        }

        public var tasks: [Task]
        public var onFailure: FailurePolicy

        public var steps: [PlanStep] {
            tasks.map { PlanStep("task \($0.name)", $0.run, task: $0.name) }
                + tasks.flatMap { task in task.conversions.map { PlanStep("perf2bolt \(task.name) \($0.artifact)", $0.command) } }
                + tasks.compactMap { task in task.check.map { PlanStep("check task \(task.name) on PGO+LTO", $0) } }
        }

        public func mapCommands(_ transform: (Command) -> Command) -> Plan {
            var plan = self
            for index in plan.tasks.indices {
                plan.tasks[index].run = transform(tasks[index].run)
                plan.tasks[index].check = tasks[index].check.map(transform)
                plan.tasks[index].conversions = tasks[index].conversions.map { Conversion(artifact: $0.artifact, command: transform($0.command)) }
            }
            return plan
        }
    }

    /// The task against the optimized build itself (no BOLT instrumentation).
    func uninstrumentedCommand(for task: TrainTask, _ workDir: WorkDir) -> Command {
        let build = tree.absolute(in: workDir)
        return profile.command(
            run: task.run, cwd: task.cwd, env: task.env, timeout: task.timeout, build: build, directory: build,
            artifacts: profile.artifactPaths(in: build))
    }

    static let likelyCauses = "likely causes: the program sandboxes itself (Linux Landlock or seccomp; some compressors "
        + "enable a sandbox by default), so the runtime cannot open its profile at exit: configure or run it without the "
        + "sandbox for training; it exits through _exit() or a signal, skipping exit handlers; it closes or redirects its "
        + "file descriptors; or the profile directory is not writable or the disk is full"

    /// What a failed or profile-less task probably means, for the message: a profile runtime
    /// writes at exit, and a program that sandboxes itself, closes its descriptors or exits
    /// without running exit handlers leaves nothing (or an empty file) behind.
    func diagnosis(empty: [String], comparison: ProcessOutcome?, failed: ProcessOutcome?) -> String {
        var lines: [String] = []
        let runtime: String
        if case .pgo = target { runtime = "the compiler's profile runtime" } else { runtime = "BOLT's instrumentation runtime" }
        if let comparison, let failed {
            lines.append(comparison.succeeded
                ? "the same task on the uninstrumented PGO+LTO build exits 0, so \(runtime) is what fails (\(failed.statusDescription))"
                : "the same task also fails on the uninstrumented PGO+LTO build (\(comparison.statusDescription)): the task itself is at fault")
        }
        // A task killed by a signal or stopped at its timeout never reaches its exit handlers:
        // that alone explains empty profiles, and the sandbox guesses would mislead.
        var stoppedBeforeExit = false
        if let failed, comparison == nil {
            switch failed.termination {
            case .signaled, .timedOut: stoppedBeforeExit = true
            case .exited: break
            }
        }
        if !empty.isEmpty {
            lines.append("\(empty.count) profile file(s) were created but left empty (\(empty.prefix(2).joined(separator: ", "))): "
                + (stoppedBeforeExit
                    ? "the task was \(failed!.statusDescription) before its exit handlers ran, so \(runtime) never wrote them"
                    : "\(runtime) could not write at exit"))
        }
        if !lines.isEmpty, comparison?.succeeded != false, !stoppedBeforeExit {
            lines.append(Self.likelyCauses)
        }
        return lines.map { "\n  " + $0 + "." }.joined()
    }

    enum TaskOutcome: Sendable {
        case done(task: String, files: [String])
        case warned(task: String, files: [String], message: String)
        case failed(task: String, message: String)
    }

    public func execute(_ plan: Plan, _ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        if case .boltSample = target {
            // No bolt-instrument stage in sampling mode: check BOLT's inputs here.
            for artifact in profile.boltArtifacts {
                let input = tree.absolute(in: workDir) + "/" + artifact.path
                if let problem = BoltInputCheck.problem(with: input, name: artifact.name, acceptPIE: profile.bolt.pie) {
                    throw StageError(stage: name, message: problem)
                }
            }
        }
        let rawRoot = context.directory + "/raw"
        try workDir.makeDirectory(rawRoot)
        // Whatever an unfinished task left behind is incomplete: start those tasks over.
        let tasks = plan.tasks
        let finishedKeys = Set(tasks.filter { context.items.done[$0.name] != nil }.map(\.key))
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: rawRoot)) ?? [] where !finishedKeys.contains(entry) {
            try workDir.remove(rawRoot + "/" + entry)
        }
        let pending = tasks.filter { context.items.done[$0.name] == nil }
        let reused = tasks.count - pending.count
        if reused > 0 {
            context.logger.info("resuming: \(reused) of \(tasks.count) tasks already done")
        }
        var finished = reused
        var failures: [String] = []
        var warnings: [String] = []
        var files: [String] = tasks.compactMap { context.items.done[$0.name] }.flatMap { $0 }

        // Never more lanes than tasks: `jobs` is bounded by the parser, and the scheduler bounds it again.
        try await BoundedParallel.run(
            pending, lanes: settings.jobs,
            starting: { context.progress.itemStarted(name, item: $0.name, total: tasks.count) },
            body: { try await run($0, onFailure: plan.onFailure, context) },
            collect: { outcome in
                finished += 1
                switch outcome {
                case .done(let task, let produced):
                    try await context.items.record(task, files: produced)
                    files += produced
                    context.progress.itemFinished(name, item: task, done: finished, total: tasks.count, ok: true)
                case .warned(let task, let produced, let message):
                    try await context.items.record(task, files: produced)
                    files += produced
                    warnings.append(message)
                    context.logger.warning("\(message)")
                    context.progress.itemFinished(name, item: task, done: finished, total: tasks.count, ok: false)
                case .failed(let task, let message):
                    failures.append(message)
                    context.progress.itemFinished(name, item: task, done: finished, total: tasks.count, ok: false)
                    return false
                }
                return true
            })
        if !failures.isEmpty {
            let unstarted = tasks.count - finished
            var message = failures.joined(separator: "\n\n")
            if unstarted > 0 { message += "\n  \(unstarted) task(s) were not started." }
            message += "\n  Finished tasks are checkpointed: `temper run` again resumes at the others."
            throw StageError(stage: name, message: message)
        }
        if files.isEmpty {
            throw StageError(stage: name, message: "no task left a raw profile, so there is nothing to merge. Check that the tasks run the instrumented artifacts ({artifact:NAME}).")
        }
        let note = warnings.isEmpty ? "\(tasks.count) tasks, \(reused) reused" : "\(tasks.count) tasks, \(reused) reused, \(warnings.count) failed (on_failure = \"warn\")"
        return StageResult(
            outputs: files.sorted(),
            counts: ["tasks": tasks.count, "tasks_reused": reused, "tasks_failed": warnings.count, "raw_profiles": files.count],
            message: note)
    }

    /// Runs the planned perf2bolt commands of a task, one per BOLT artifact.
    /// Runs a task's planned perf2bolt commands, one per BOLT artifact; the task's own
    /// outcome stands when there is none.
    func convertSamples(_ task: Plan.Task, after ran: ProcessOutcome, log: String, _ context: StageContext) async throws -> ProcessOutcome {
        var last = ran
        for conversion in task.conversions {
            try context.workDir.makeDirectory(task.rawDirectory + "/" + conversion.artifact)
            last = try await context.runner.run(conversion.command, logPath: log)
            guard last.succeeded else { return last }
        }
        try context.workDir.remove(task.rawDirectory + "/perf.data")
        return last
    }

    func run(_ task: Plan.Task, onFailure: FailurePolicy, _ context: StageContext) async throws -> TaskOutcome {
        let workDir = context.workDir
        let raw = task.rawDirectory
        try workDir.freshDirectory(raw)
        if case .bolt(let instrumented) = target {
            try BoltPaths.prepareTask(
                profile, workDir: workDir, build: tree.absolute(in: workDir), instrumented: instrumented.absolute(in: workDir),
                tree: taskTree(workDir, key: task.key), key: task.key, rawDirectory: raw, stage: name)
        }
        let command = task.run
        let log = workDir.log("\(name)-\(task.name)")
        try workDir.remove(log)
        var outcome = try await context.runner.run(command, logPath: log)
        if outcome.succeeded, !task.conversions.isEmpty {
            outcome = try await convertSamples(task, after: outcome, log: log, context)
        }
        let (produced, empty) = RawProfiles.scan(in: raw, extension: rawExtension)
        let label = "task \(task.name)"
        if !outcome.succeeded {
            var comparison: ProcessOutcome?
            if let check = task.check {
                comparison = try await context.runner.run(check, logPath: log + ".pgo-lto")
            }
            let why = diagnosis(empty: empty, comparison: comparison, failed: outcome)
            let failure = StageError.toolFailed(stage: name, step: label, command: command, outcome: outcome).message + why
            return onFailure == .warn
                ? .warned(task: task.name, files: produced, message: "\(label) failed (\(outcome.statusDescription)), continuing because on_failure = \"warn\"; log: \(log)\(why)")
                : .failed(task: task.name, message: failure)
        }
        let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        if logText.contains(writeErrorMarker) {
            return .failed(task: task.name, message: "\(label) exited 0, but the profile runtime reported a write error (\"\(writeErrorMarker)\"), so its profile is incomplete.\n  \(Self.likelyCauses).\n  last lines of output:\n\(LogTail.indented(log))\n  full log: \(log)")
        }
        if produced.isEmpty {
            let why = empty.isEmpty
                ? "The profile runtime exits 0 even when it cannot write; check that the task runs an instrumented artifact ({artifact:NAME})."
                : "The profile runtime exits 0 even when it cannot write." + diagnosis(empty: empty, comparison: nil, failed: nil)
            return .failed(task: task.name, message: "\(label) exited 0 but left no non-empty raw profile (.\(rawExtension)) in \(raw). \(why)\n  $ \(command.displayString)\n  full log: \(log)")
        }
        return .done(task: task.name, files: produced)
    }
}
