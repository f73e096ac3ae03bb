import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation
import Logging

/// One `temper run`: load and check the profile, its source tree, the stage range and the work
/// dir, resolve the toolchain (all before anything is locked, created or built), then lock the
/// work dir, execute the stages, publish what holds, and write report.json whatever happens.
public struct PipelineRun: Sendable {
    public struct Options: Sendable {
        public var workDir: String?
        public var from: StageID?
        public var to: StageID?
        public var fresh = false
        public var jobs: Int
        public var baseline: Bool?
        public var llvmBin: String?
        /// Overrides `[toolchain] compiler`.
        public var compiler: CompilerFamily?
        /// Overrides `[bolt] enabled`.
        public var bolt: Bool?
        /// Overrides `[profile] bundle`: build from this profile bundle instead of training.
        public var profileBundle: String?
        /// Overrides `[build] launcher`.
        public var launcher: [String]?
        /// Overrides `[optimize] thinlto_cache`.
        public var thinLTOCache: String?
        /// Run only these PGO training tasks (one machine's share of the shards).
        public var tasks: [String]?
        /// A configuration to build instead of the profile's own: a tune matrix row.
        public var variant: ProfileVariant?
        /// A decision file (`temper tune`) to apply exactly: its configuration, no selection.
        public var decision: String?
        /// Train again after a source change, instead of applying the last training's profile.
        public var retrain = false

        public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
            self.jobs = jobs
        }
    }

    let progress: any ProgressSink
    let logger: Logger

    public init(progress: any ProgressSink, logger: Logger) {
        self.progress = progress
        self.logger = logger
    }

    /// Everything `plan` and `run` share: the parsed profile, its toolchain and stages.
    public struct Prepared: Sendable {
        public var profile: PipelineProfile
        public var toolchain: Toolchain
        public var workDir: WorkDir
        public var graph: StageGraph
        public var stages: [any Stage] { graph.stages }
        /// BOLT's tools, when BOLT is on.
        public var bolt: BoltTools?
        /// The profile bundle that replaces training, with its manifest.
        public var bundle: (input: PipelineComposer.BundleInput, manifest: BundleManifest)?
        /// The decision file applied, with what it chose.
        public var decision: (path: String, decision: TuneDecision)?
        /// How this run's training was decided after an edit, for the report (nil: as usual).
        public var trainingReused: String?
    }

    public func prepare(profilePath: String, options: Options) async throws -> Prepared {
        var profile = try ProfileParser.load(path: profilePath)
        var decision: (path: String, decision: TuneDecision)?
        // --decision, the profile's own [profile] decision, or the one a profile bundle carries;
        // never inside a tune's matrix, which measures every configuration itself.
        if let bundle = options.profileBundle {
            profile.bundle = URL(fileURLWithPath: bundle).standardizedFileURL.path
        }
        // A bundle is read once, here: a decision it carries shapes the profile checked below.
        var bundleRead: ProfileBundle?
        if let path = profile.bundle {
            do {
                bundleRead = try ProfileBundle.read(path: path)
            } catch let error as BundleError where options.profileBundle == nil {
                // Named by the pipeline profile: say which file and key.
                throw ProfileError.invalidValue(file: profile.file, keyPath: "profile.bundle", line: nil, message: "\(error)")
            }
        }
        let carried = options.decision == nil && profile.decision == nil
            ? bundleRead.flatMap { bundle in
                bundle.manifest.decision.flatMap { bundle.files[$0] }.map { ((profile.bundle ?? "") + " (carried by the bundle)", $0) }
            } : nil
        if options.variant == nil, let path = options.decision ?? profile.decision ?? carried?.0 {
            let loaded: TuneDecision
            do {
                loaded = try carried.map { try DecisionFile.decode($0.1, path: $0.0, profile: profile) } ?? DecisionFile.load(path: path, profile: profile)
            } catch let error as DecisionError where options.decision == nil && carried == nil {
                throw ProfileError.invalidValue(file: profile.file, keyPath: "profile.decision", line: nil, message: "\(error)")
            }
            ProfileVariant(decision: loaded).apply(to: &profile)
            decision = (carried == nil ? URL(fileURLWithPath: path).standardizedFileURL.path : path, loaded)
            if options.compiler != nil {
                throw PipelineError.badOption("the decision (--decision or [profile] decision) pins the compiler; drop --compiler.")
            }
            if options.bolt != nil {
                throw PipelineError.badOption("the decision (--decision or [profile] decision) pins whether BOLT runs (\(loaded.boltFlags == nil ? "it does not" : "it does")); drop --bolt/--no-bolt.")
            }
        }
        options.variant?.apply(to: &profile)
        // Another compiler than the profile's gets a work dir of its own, so the two results coexist.
        let defaultRoot = WorkDir.defaultRoot(profileName: profile.name)
            + (options.compiler.map { $0 != profile.toolchain.compiler ? "-\($0.rawValue)" : "" } ?? "")
        profile.toolchain.compiler = options.compiler ?? profile.toolchain.compiler
        if profile.optimize.pgo == .csir, profile.toolchain.compiler == .gcc {
            throw ProfileError.invalidValue(
                file: profile.file, keyPath: "optimize.pgo", line: nil,
                message: "\"cs-ir\" (context-sensitive IR PGO) is clang's; GCC has no such mode. Use \"ir\" with GCC, or clang.")
        }
        profile.bolt.enabled = options.bolt ?? profile.bolt.enabled
        profile.build.launcher = options.launcher ?? profile.build.launcher
        if let tasks = options.tasks {
            let known = profile.train.tasks.map(\.name)
            if let unknown = tasks.first(where: { !known.contains($0) }) {
                throw PipelineError.unknownTask(unknown, known: known)
            }
            profile.train.tasks = profile.train.tasks.filter { tasks.contains($0.name) }
        }
        if let cache = options.thinLTOCache {
            profile.optimize.thinLTOCache = URL(fileURLWithPath: cache).standardizedFileURL.path
        }
        if let cache = profile.optimize.thinLTOCache {
            // The linker makes the directory when it is missing; a file in its place fails the link late.
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: cache, isDirectory: &isDirectory), !isDirectory.boolValue {
                let reason = "\(cache) is a file, not a directory. Give a directory (the linker creates it when it is missing)."
                if options.thinLTOCache != nil { throw PipelineError.badOption("--thinlto-cache: " + reason) }
                throw ProfileError.invalidValue(file: profile.file, keyPath: "optimize.thinlto_cache", line: nil, message: reason)
            }
        }
        // A bundle that cannot be read, or does not fit the profile, is refused before anything is made.
        var imported: (path: String, bundle: ProfileBundle)?
        if let path = profile.bundle, let read = bundleRead {
            guard profile.toolchain.compiler == .clang else {
                throw BundleError.invalid(path: path, reason: "bundles hold LLVM profiles, and this run uses GCC")
            }
            if profile.bolt.enabled {
                let missing = profile.boltArtifacts.map(\.name).filter { name in !(read.manifest.bolt?.profiles.contains { $0.artifact == name } ?? false) }
                if !missing.isEmpty {
                    throw BundleError.invalid(path: path, reason: "it has no BOLT profile for \(missing.joined(separator: ", ")), and this run has BOLT on. Run with --no-bolt, or export the bundle from a work dir whose pipeline ran BOLT")
                }
            }
            imported = (path, read)
            if let tasks = options.tasks {
                throw PipelineError.replacedByBundle(option: "--tasks \(tasks.joined(separator: ","))")
            }
            for (flag, stage) in [("--from", options.from), ("--to", options.to)] {
                if let stage, PipelineComposer.replacedByBundle.contains(stage) { throw PipelineError.replacedByBundle(option: "\(flag) \(stage)") }
            }
        }
        let resolver = ToolchainResolver(runner: SubprocessRunner())
        let toolchain = try await resolver.resolve(llvmBin: options.llvmBin ?? profile.toolchain.llvmBin, family: profile.toolchain.compiler)
        if let imported {
            try await BundleFormatCheck.ensure(imported.bundle, path: imported.path, toolchain: toolchain)
        }
        let bundle = imported.map { (input: PipelineComposer.BundleInput(path: $0.path, sha256: $0.bundle.sha256), manifest: $0.bundle.manifest) }
        if let launcher = profile.build.launcher.first {
            profile.build.launcher[0] = try resolver.launcher(launcher)
        }
        var bolt: BoltTools?
        if profile.bolt.enabled {
            let tools = await resolver.boltTools(for: toolchain)
            let major = toolchain.family == .clang ? toolchain.cc.major : 22
            guard tools.complete else {
                throw ToolchainError.missingTool(role: "bolt", name: tools.bolt == nil ? "llvm-bolt" : "merge-fdata", directory: tools.directory, package: "bolt-\(major)")
            }
            if profile.bolt.mode == .sample {
                guard tools.perf2bolt != nil else {
                    throw ToolchainError.missingTool(role: "bolt", name: "perf2bolt", directory: tools.directory, package: "bolt-\(major)")
                }
                guard tools.perf != nil else {
                    throw ToolchainError.missingTool(role: "perf", name: "perf", directory: "PATH", package: "linux-perf")
                }
            }
            bolt = tools
        }
        // Every program the commands run is here, or the run stops before anything is built.
        let missing = ProfilePrograms.check(profile).filter { $0.path == nil }
        if !missing.isEmpty { throw ProgramsError.missing(profile: profile.file, entries: missing) }
        let workDir = WorkDir(root: options.workDir ?? defaultRoot)
        try workDir.checkUsable(source: profile.source)

        let graph = PipelineComposer.graph(
            for: profile, toolchain: toolchain, baseline: options.baseline ?? profile.baseline.enabled, bolt: bolt, bundle: bundle?.input)
        try PipelineExecutor.check(PipelineExecutor.Options(from: options.from, to: options.to, jobs: options.jobs), stages: graph.stages)
        // --from needs the earlier stages' checkpoints: a work dir with none is refused before
        // anything is created or probed.
        if let from = options.from, from != graph.ids.first, !workDir.isTemperWorkDir {
            throw PipelineError.cannotStartFrom(from.rawValue, blocker: graph.ids.first?.rawValue ?? "the first stage", reason: "\(workDir.root) holds no run yet")
        }
        return Prepared(profile: profile, toolchain: toolchain, workDir: workDir, graph: graph, bolt: bolt, bundle: bundle, decision: decision)
    }

    public func run(profilePath: String, options: Options) async throws -> RunReport {
        let prepared = try await prepare(profilePath: profilePath, options: options)
        guard StaleTraining.applies(prepared, options: options) else {
            return try await run(prepared, options: options).report
        }
        let lock = try WorkDirLock(workDir: prepared.workDir)
        defer { lock.release() }
        return try await run(deciding: prepared, profilePath: profilePath, options: options, holding: lock).report
    }

    /// Runs the pipeline holding `lock`, deciding its training as `temper run` does: after an
    /// edit, the last training's profile on the new sources, as a bundle would be applied
    /// (staleness reported), unless too little of it still matches. Returns what `run` returns
    /// and the pipeline that ran (its graph is the one to read records through).
    public func run(deciding prepared: Prepared, profilePath: String, options: Options, holding lock: WorkDirLock) async throws
        -> (report: RunReport, current: [StageID: StageRecord], prepared: Prepared)
    {
        guard StaleTraining.applies(prepared, options: options),
            let bundle = try await StaleTraining.bundle(for: prepared, holding: lock, logger: logger)
        else {
            let (report, current) = try await run(prepared, options: options, holding: lock)
            return (report, current, prepared)
        }
        var reuse = options
        reuse.profileBundle = bundle.path
        var stale = try await prepare(profilePath: profilePath, options: reuse)
        stale.trainingReused = bundle.note
        let (report, current) = try await run(stale, options: reuse, holding: lock)
        let threshold = prepared.profile.train.retrainBelow
        guard let matched = report.staleness?.hotMatchedPercent, matched < threshold else { return (report, current, stale) }
        logger.warning("\(String(format: "only %.1f%% of the hot functions match the edited sources, below [train] retrain_below = %g: training again", matched, threshold))")
        var retrained = prepared
        retrained.trainingReused = String(format: "retrained: the last training matched %.1f%% of the hot functions of the edited sources, below retrain_below = %g", matched, threshold)
        let (full, fullCurrent) = try await run(retrained, options: options, holding: lock)
        return (full, fullCurrent, retrained)
    }

    /// Runs a prepared pipeline; returns the report and the stage records that hold for it.
    /// A caller that goes on using the work dir afterwards (`temper bench`) takes the lock
    /// itself and passes it, so no other run slips in between.
    public func run(_ prepared: Prepared, options: Options, holding held: WorkDirLock? = nil) async throws -> (report: RunReport, current: [StageID: StageRecord]) {
        let workDir = prepared.workDir
        let lock = try held ?? WorkDirLock(workDir: workDir)
        defer { if held == nil { lock.release() } }
        // The state file marks the directory as a work dir from the moment it is locked.
        let store = try StateStore(path: workDir.stateFile, profile: prepared.profile.name, discarding: options.fresh)
        try await store.markWorkDir()
        let stopped = ProcessGroupLedger.stopLeftovers(recordedIn: workDir.ledgerFile, mark: workDir.root)
        if stopped > 0 { logger.warning("stopped \(stopped) process group(s) or unrecorded process(es) left running by a killed temper") }
        if options.fresh {
            // Only ever inside a directory whose state file says it is a work dir (checked in prepare).
            for path in [workDir.root + "/stages", workDir.out, workDir.logs, workDir.reportFile, workDir.root + "/bench"] {
                try workDir.remove(path)
            }
            try await store.reset()  // also rewrites a damaged state file
        }
        // Which stage plays which part, for readers of the work dir (bundle export).
        try await store.setRoles(prepared.graph.roles)
        // The decision this run applies, kept with it: a bundle exported from here carries it.
        if let decision = prepared.decision?.decision {
            try AtomicFile.write(try JSONEncoder.temper.encode(decision), to: workDir.decisionFile)
        } else {
            try workDir.remove(workDir.decisionFile)
        }
        let source = URL(fileURLWithPath: prepared.profile.source).standardizedFileURL.path
        if workDir.root.hasPrefix(source + "/") {
            logger.warning("the work dir \(workDir.root) is inside the source tree; temper never counts a work dir as source, but your version control may see it (pass --workdir to keep it elsewhere)")
        }
        logger.info("profile \(prepared.profile.name); toolchain \(prepared.toolchain.summary) in \(prepared.toolchain.directory) (\(prepared.toolchain.origin)); work dir \(workDir.root)")
        try await ProbeCache.ensure(prepared.toolchain, bolt: prepared.bolt, workDir: workDir, logger: logger)
        try await FlagProbe.check(prepared, runner: SubprocessRunner(), logger: logger)
        let ledger = ProcessGroupLedger(path: workDir.ledgerFile, mark: workDir.root)

        let snapshot = try SourceDigest.snapshot(
            root: prepared.profile.source, excluding: [workDir.root], patterns: prepared.profile.sourceExclude, statCache: workDir.cache + "/source-stat.json")
        let sourceDigest = snapshot.digest
        // The listing behind each digest a stage ran with, for `temper bundle export` and staleness.
        try SourceListing.save(snapshot, in: workDir)
        let recorded = await store.state.stages.values.compactMap { $0.inputs?["source"] }
        SourceListing.prune(keeping: Set(recorded + [sourceDigest]), in: workDir)
        let digests = DigestCache(path: workDir.cache + "/output-stat.json")
        defer { digests.save() }
        let executor = PipelineExecutor(
            workDir: workDir, store: store, runner: SubprocessRunner(ledger: ledger), progress: progress, logger: logger,
            sharedMaterial: ["toolchain": prepared.toolchain.identity, "source": sourceDigest], digests: digests)
        let executorOptions = PipelineExecutor.Options(from: options.from, to: options.to, jobs: options.jobs)
        do {
            let reports = try await executor.run(prepared.stages, options: executorOptions)
            let state = await store.state
            let current = prepared.graph.currentRecords(state, reports: reports)
            let published = try ArtifactPublisher.publish(names: prepared.profile.build.artifactNames, graph: prepared.graph, current: current, workDir: workDir, digests: digests)
            let report = ReportBuilder.build(prepared: prepared, state: state, stages: reports, status: "succeeded", error: nil, published: published)
            try ReportBuilder.write(report, to: workDir.reportFile)
            return (report, current)
        } catch {
            // Every run that reached the work dir leaves a report, failed and interrupted ones too.
            var reports = prepared.stages.map { PipelineExecutor.StageReport(id: $0.id, outcome: .pending, seconds: 0) }
            var cause = error
            if case PipelineError.halted(let halted, let halting) = error {
                reports = halted
                cause = halting
            }
            let status = ExitStatus.of(cause) == ExitStatus.interrupted ? "interrupted" : "failed"
            // out/ still reflects what holds: e.g. the pre-BOLT artifact when BOLT failed.
            let state = await store.state
            let current = prepared.graph.currentRecords(state, reports: reports)
            let published = (try? ArtifactPublisher.publish(names: prepared.profile.build.artifactNames, graph: prepared.graph, current: current, workDir: workDir, digests: digests))
                ?? (optimized: [], baseline: [])
            let report = ReportBuilder.build(prepared: prepared, state: state, stages: reports, status: status, error: "\(cause)", published: published)
            try? ReportBuilder.write(report, to: workDir.reportFile)
            throw cause
        }
    }
}
