import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation
import Logging

/// `temper tune`: builds every configuration of the matrix (one pipeline per distinct build,
/// training shared through a bundle), verifies them, counts cachegrind's deterministic figures
/// twice, then measures wall time in interleaved shuffled rounds, with an A/A row, until every
/// comparison is decided or the budget is spent. It writes `tune.json`, `tune.md` and a
/// decision file that `temper run --decision` applies without measuring.
public struct TuneSession: Sendable {
    public struct Options: Sendable {
        public var workDir: String?
        /// Seconds the whole tune may take; the builds count too.
        public var budget: Double?
        public var jobs: Int
        public var llvmBin: String?
        /// Count with cachegrind (needs valgrind).
        public var counters = true
        /// Rounds measured before any comparison may be called decided.
        public var minimumRounds = 5
        public var maximumRounds = 200

        public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount) {
            self.jobs = jobs
        }
    }

    public static let defaultBudget = 30 * 60.0

    let progress: any ProgressSink
    let logger: Logger
    let runner: any ProcessRunning

    public init(progress: any ProgressSink, logger: Logger, runner: any ProcessRunning = SubprocessRunner()) {
        self.progress = progress
        self.logger = logger
        self.runner = runner
    }

    /// A row on its way: where its build is, and what was measured.
    struct Measured {
        var result: TuneResult.Variant
        var tree: String?
        var artifacts: [String: String] = [:]
    }

    public func run(profilePath: String, options: Options) async throws -> TuneResult {
        let start = ContinuousClock.now
        func elapsed() -> Double { start.duration(to: .now).seconds }
        let profile = try ProfileParser.load(path: profilePath)
        // No variants (no [tune], or one with only budget and counters): the default matrix.
        var settings = profile.tune ?? TuneSettings()
        if settings.variants.isEmpty {
            let defaults = TuneSettings.defaultMatrix(extraBoltSets: profile.bolt.candidates.map(\.name))
            settings.variants = defaults.variants
            settings.reference = settings.reference ?? defaults.reference
        }
        let budget = options.budget ?? settings.budget ?? Self.defaultBudget
        let matrix = TuneMatrix.expand(settings)
        let root = WorkDir(root: options.workDir ?? WorkDir.defaultRoot(profileName: profile.name) + "-tune")
        func pipelineOptions(_ pipeline: TuneMatrix.Pipeline, bundle: String?) -> PipelineRun.Options {
            var runOptions = PipelineRun.Options(jobs: options.jobs)
            runOptions.workDir = root.root + "/pipelines/" + pipeline.directoryName
            runOptions.llvmBin = options.llvmBin
            runOptions.baseline = false
            runOptions.variant = pipeline.variant
            runOptions.to = pipeline.withBolt ? .boltOptimize : .optimize
            if profile.optimize.thinLTOCache == nil { runOptions.thinLTOCache = root.root + "/cache/thinlto" }
            runOptions.profileBundle = bundle
            return runOptions
        }
        // Every build is checked (profile, toolchain, BOLT's tools, work dirs) before anything
        // is locked or created, as `temper run` does.
        try root.checkUsable(source: profile.source)
        for index in matrix.runOrder {
            _ = try await PipelineRun(progress: progress, logger: logger).prepare(profilePath: profilePath, options: pipelineOptions(matrix.pipelines[index], bundle: nil))
        }
        let lock = try WorkDirLock(workDir: root)
        defer { lock.release() }
        let store = try StateStore(path: root.stateFile, profile: profile.name)
        try await store.markWorkDir()
        try root.makeDirectory(root.root + "/pipelines")
        try root.makeDirectory(root.root + "/bundles")
        logger.info("tune \(profile.name): \(matrix.rows.count) variants from \(matrix.pipelines.count) builds; budget \(Int(budget)) s; work dir \(root.root)")

        // 1. Builds: one pipeline per distinct build; the first of a training group trains.
        var measured = matrix.rows.map { row in
            Measured(result: TuneResult.Variant(name: row.variant.name, overrides: row.variant.overrides.summary, settings: row.variant.overrides, boltFlags: nil, built: false))
        }
        var bundles: [String: String] = [:]
        var trainedIn: [String: WorkDir] = [:]
        var toolchainSummary = ""
        let referencePipeline = matrix.rows.first { $0.variant.name == matrix.reference }?.pipeline
        for index in matrix.runOrder {
            let pipeline = matrix.pipelines[index]
            // Half the budget for builds: the rest is for counting and timing. The reference's
            // build is never skipped (without it nothing can be compared).
            if index != referencePipeline, elapsed() > budget / 2 {
                logger.warning("build \(pipeline.directoryName) skipped: half the budget (\(Int(budget)) s) went to the builds before it")
                for rowIndex in matrix.rows.indices where matrix.rows[rowIndex].pipeline == index {
                    measured[rowIndex].result.failure = "not built: half the budget went to the builds before it; give a larger --budget"
                }
                continue
            }
            let workDir = WorkDir(root: root.root + "/pipelines/" + pipeline.directoryName)
            let trainingKey = pipeline.build.trainingKey.summary
            let family = pipeline.build.compiler ?? profile.toolchain.compiler
            let runOptions = pipelineOptions(pipeline, bundle: family == .clang && profile.bundle == nil ? bundles[trainingKey] : nil)
            logger.info("build \(pipeline.directoryName): \(pipeline.build.buildSummary)\(pipeline.withBolt ? (pipeline.boltPIE ? ", PIE" : ", without PIE") + ", BOLT sets \(pipeline.boltSets.joined(separator: ", "))" : ", PIE")\(runOptions.profileBundle != nil ? ", profile from the shared bundle" : "")")
            let run = PipelineRun(progress: progress, logger: logger)
            do {
                let prepared = try await run.prepare(profilePath: profilePath, options: runOptions)
                toolchainSummary = "\(prepared.toolchain.summary) in \(prepared.toolchain.directory)"
                let (report, current) = try await run.run(prepared, options: runOptions)
                // Share the training: this group's later builds import this one's profile.
                if family == .clang, bundles[trainingKey] == nil, runOptions.profileBundle == nil, profile.bundle == nil {
                    let bundle = root.root + "/bundles/" + pipeline.directoryName + ".bundle"
                    // A training that still holds keeps its bundle: a new export (a new creation
                    // time) would make every build that imports it run again.
                    let trained = report.stages.first { $0.name == prepared.graph.profileData.rawValue }?.outcome
                    if trained != .reused || !FileManager.default.fileExists(atPath: bundle) {
                        try root.remove(bundle)
                        _ = try await BundleExporter(runner: runner).export(workDir: workDir, to: bundle)
                    }
                    bundles[trainingKey] = bundle
                    trainedIn[trainingKey] = workDir
                }
                let graph = prepared.graph
                let boltSummary = report.bolt
                for (rowIndex, row) in matrix.rows.enumerated() where row.pipeline == index {
                    switch row.side {
                    case .build:
                        measured[rowIndex].tree = graph.optimizedBuild.absolute(in: workDir)
                        measured[rowIndex].result.built = true
                    case .candidate(let set):
                        let candidate = boltSummary?.selection?.candidates.first { $0.name == set }
                        measured[rowIndex].result.boltFlags = candidate?.flags
                        if let relative = graph.boltResult.flatMap({ current[$0]?.output(.candidateTree(set)) }) {
                            measured[rowIndex].tree = workDir.absolute(relative)
                            measured[rowIndex].result.built = true
                        } else {
                            measured[rowIndex].result.failure = candidate?.failure ?? "the BOLT candidate \(set) was not built"
                        }
                    }
                    if let tree = measured[rowIndex].tree {
                        measured[rowIndex].artifacts = profile.artifactPaths(in: tree)
                        measured[rowIndex].result.bytes = measured[rowIndex].artifacts.values.map { Self.size($0) }.reduce(0, +)
                    }
                }
            } catch {
                if error is CancellationError || Task.isCancelled { throw error }
                if case PipelineError.halted(_, let cause) = error, cause is CancellationError || ExitStatus.of(cause) == ExitStatus.interrupted { throw error }
                logger.warning("build \(pipeline.directoryName) failed: \(error)")
                for rowIndex in matrix.rows.indices where matrix.rows[rowIndex].pipeline == index {
                    measured[rowIndex].result.failure = "its build failed: \(error)"
                }
            }
        }
        let buildSeconds = elapsed()
        guard let referenceIndex = measured.firstIndex(where: { $0.result.name == matrix.reference }), measured[referenceIndex].result.built,
            let referenceTree = measured[referenceIndex].tree
        else {
            throw TuneError.referenceNotBuilt(matrix.reference, reason: measured.first { $0.result.name == matrix.reference }?.result.failure ?? "not in the matrix")
        }

        // 2. The A/A row: the reference's artifacts copied into a mirror of its tree.
        let aaTree = root.root + "/aa"
        var replacing: [String: Data] = [:]
        for artifact in profile.build.artifacts {
            replacing[artifact] = FileManager.default.contents(atPath: referenceTree + "/" + artifact)
        }
        try BoltPaths.mirror(referenceTree, into: aaTree, replacing: replacing, workDir: root)
        let aaArtifacts = profile.artifactPaths(in: aaTree)

        let measureDirectory = root.root + "/measure"
        try root.freshDirectory(measureDirectory)
        // The timed workloads: [[tune.workload]], else [bench], else the verify command.
        let workloads: [TrainTask] = !settings.workloads.isEmpty ? settings.workloads
            : [profile.bench.map { TrainTask(name: "bench", run: $0.run, cwd: $0.cwd, env: $0.env) } ?? profile.verifyTask]
        func workload(_ task: TrainTask, _ artifacts: [String: String], tree: String) -> Command {
            profile.command(run: task.run, cwd: task.cwd, env: task.env, timeout: task.timeout, build: tree, directory: tree, artifacts: artifacts)
        }
        func counted(_ artifacts: [String: String], tree: String) -> Command {
            if settings.countersWorkload == .bench, let bench = profile.bench {
                return profile.command(run: bench.run, cwd: bench.cwd, env: bench.env, timeout: nil, build: tree, directory: tree, artifacts: artifacts)
            }
            let task = profile.verifyTask
            return profile.command(run: task.run, cwd: task.cwd, env: task.env, timeout: nil, build: tree, directory: tree, artifacts: artifacts)
        }

        // 3. Deterministic figures first (they do not depend on what else runs): twice each.
        let measurement = WorkloadMeasurement(runner: runner)
        let valgrind = options.counters && ToolchainResolver.onPath("valgrind") != nil
        if valgrind {
            // Counts are deterministic for the same bytes and command: kept by a key of both, so a
            // second tune of unchanged builds only measures wall time again.
            let cachePath = root.cache + "/counts.json"
            var cache = (RegularFile.contents(cachePath, limit: 16 << 20).flatMap { try? JSONDecoder().decode([String: CachegrindSummary].self, from: $0) }) ?? [:]
            func key(_ index: Int, _ run: Int) -> String {
                var fingerprint = Fingerprint()
                fingerprint.add("command", ToolCommands.cachegrind(counted(measured[index].artifacts, tree: measured[index].tree!)))
                for (name, path) in measured[index].artifacts.sorted(by: { $0.key < $1.key }) { fingerprint.add(name, FileDigest.sha256(of: path) ?? "missing") }
                fingerprint.add("run", String(run))
                return fingerprint.finalize()
            }
            var counts: [Int: [Int: CachegrindSummary]] = [:]
            var jobs: [((Int, Int), Command, String, String)] = []
            for index in measured.indices where measured[index].result.built {
                for run in [1, 2] {
                    let cacheKey = key(index, run)
                    if let known = cache[cacheKey] {
                        counts[index, default: [:]][run] = known
                    } else {
                        jobs.append(((index, run), ToolCommands.cachegrind(counted(measured[index].artifacts, tree: measured[index].tree!)),
                            "\(measureDirectory)/\(measured[index].result.name)-cachegrind-\(run).log", cacheKey))
                    }
                }
            }
            let logger = self.logger
            logger.info("counting with cachegrind (the \(settings.countersWorkload == .bench && profile.bench != nil ? "bench" : "verify") workload): \(jobs.count) runs, \(counts.values.map(\.count).reduce(0, +)) known from an earlier tune of the same bytes")
            try await BoundedParallel.run(
                jobs, lanes: options.jobs,
                body: { (entry: ((Int, Int), Command, String, String)) -> (Int, Int, String, CachegrindSummary?) in
                    do {
                        return (entry.0.0, entry.0.1, entry.3, try await measurement.simulate(cachegrind: entry.1, log: entry.2))
                    } catch let failure as WorkloadMeasurement.Failure {
                        logger.warning("cachegrind failed (\(failure.status)); log: \(failure.log)")
                        return (entry.0.0, entry.0.1, entry.3, nil)
                    }
                },
                collect: { (result: (Int, Int, String, CachegrindSummary?)) in
                    if let summary = result.3 {
                        counts[result.0, default: [:]][result.1] = summary
                        cache[result.2] = summary
                    }
                    return true
                })
            try root.makeDirectory(root.cache)
            try AtomicFile.write(try JSONEncoder.temper.encode(cache), to: cachePath)
            for (index, pair) in counts {
                if let first = pair[1], let second = pair[2] { measured[index].result.counters = TuneResult.Counted(first: first, second: second) }
            }
        }
        let hardware = await hardwareCounters(directory: measureDirectory)
        if hardware.hasPrefix("available") {
            // Where the machine counts hardware events: one `perf stat` run of each variant.
            for index in measured.indices where measured[index].result.built {
                let output = "\(measureDirectory)/\(measured[index].result.name)-perf-stat.csv"
                let command = ToolCommands.perfStat(
                    workload(workloads[0], measured[index].artifacts, tree: measured[index].tree!), events: PerfStatSummary.events, output: output)
                if let outcome = try? await runner.run(command, logPath: "\(measureDirectory)/\(measured[index].result.name)-perf-stat.log"), outcome.succeeded {
                    measured[index].result.hardware = (try? String(contentsOfFile: output, encoding: .utf8)).flatMap(PerfStatSummary.parse)
                }
            }
        }

        // 4. Wall time: interleaved shuffled rounds until every comparison is decided or the budget ends.
        var subjects: [InterleavedRounds<TuneSide>.Subject] = []
        var names: [TuneSide: String] = [:]
        let suffix = { (w: Int) in workloads.count > 1 ? "." + workloads[w].name : "" }
        for w in workloads.indices {
            for index in measured.indices where measured[index].result.built {
                let side = TuneSide(index: index, workload: w)
                let timed = WorkloadMeasurement.timed(
                    workload(workloads[w], measured[index].artifacts, tree: measured[index].tree!), usageFile: "\(measureDirectory)/\(measured[index].result.name)\(suffix(w)).usage")
                subjects.append(.init(side: side, command: timed.command, usageFile: timed.usageFile))
                names[side] = measured[index].result.name + suffix(w)
            }
            let aaSide = TuneSide(index: nil, workload: w)
            let aaTimed = WorkloadMeasurement.timed(workload(workloads[w], aaArtifacts, tree: aaTree), usageFile: "\(measureDirectory)/aa\(suffix(w)).usage")
            subjects.append(.init(side: aaSide, command: aaTimed.command, usageFile: aaTimed.usageFile))
            names[aaSide] = "aa" + suffix(w)
        }
        // A variant's verdict: the geometric mean over workloads of its time ratios.
        func geometricRatio(_ index: Int?, _ samples: [TuneSide: [Double]]) -> RatioInterval? {
            Statistics.geometricMeanRatio(workloads.indices.map { w in
                (samples[TuneSide(index: index, workload: w)] ?? [], samples[TuneSide(index: referenceIndex, workload: w)] ?? [])
            })
        }
        let measuringStart = ContinuousClock.now
        let wall = try await measureWallTime(
            subjects, names: names, reference: referenceIndex, options: options, directory: measureDirectory,
            timeLeft: { budget - elapsed() },
            decided: { samples, active in
                Set(active.compactMap(\.index)).subtracting([referenceIndex]).allSatisfy { geometricRatio($0, samples)?.verdict != .undecided }
            })
        for (side, message) in wall.dropped {
            if let index = side.index { measured[index].result.failure = message }
        }
        let (samples, rounds, decided) = (wall.samples, wall.rounds, wall.decided)
        let measuringSeconds = measuringStart.duration(to: .now).seconds

        for index in measured.indices {
            // The first workload's samples stand for the variant; every workload's are listed when several.
            let values = samples[TuneSide(index: index, workload: 0)] ?? []
            measured[index].result.samples = values
            measured[index].result.medianSeconds = values.isEmpty ? nil : Statistics.median(values)
            if workloads.count > 1 {
                measured[index].result.workloads = workloads.indices.map { w in
                    let own = samples[TuneSide(index: index, workload: w)] ?? []
                    return TuneResult.WorkloadResult(
                        name: workloads[w].name, medianSeconds: own.isEmpty ? nil : Statistics.median(own), samples: own,
                        ratio: index == referenceIndex ? nil : Statistics.ratio(own, samples[TuneSide(index: referenceIndex, workload: w)] ?? []))
                }
            }
            if index == referenceIndex, !values.isEmpty {
                // The reference against itself: exactly 1, by definition (the A/A row measures the noise).
                measured[index].result.ratio = RatioInterval(value: 1, low: 1, high: 1)
            } else if let ratio = geometricRatio(index, samples) {
                measured[index].result.ratio = ratio
                measured[index].result.verdict = ratio.verdict
            }
        }
        let aa = geometricRatio(nil, samples).map(TuneResult.Calibration.init)

        // 5. The decision, once, written down.
        let variants = measured.map(\.result)
        let choice = TuneDecisionRule.decide(variants, reference: matrix.reference, acceptNonPIE: settings.acceptNonPIE)
        let chosen = variants.first { $0.name == choice.variant }!
        let machine = Self.machine(toolchain: toolchainSummary)
        let decisionPath = root.root + "/decision.json"
        let decision = TuneDecision(
            profile: profile.name, variant: chosen.name, settings: chosen.settings, boltFlags: chosen.settings.bolt == nil ? nil : chosen.boltFlags,
            reason: choice.reason, created: Self.timestamp(), machine: machine, rounds: rounds, ratio: chosen.ratio, counters: chosen.counters, aa: aa)
        let decisionData = try JSONEncoder.temper.encode(decision)
        try AtomicFile.write(decisionData, to: decisionPath)
        // The decision with the training it was made on: a run from this bundle, on any machine,
        // applies the decision to the same profile and publishes the bytes measured here.
        var decisionBundle: String?
        if let row = matrix.rows.first(where: { $0.variant.name == chosen.name }), let trained = trainedIn[matrix.pipelines[row.pipeline].build.trainingKey.summary] {
            let path = root.root + "/decision.bundle"
            try root.remove(path)
            do {
                _ = try await BundleExporter(runner: runner).export(workDir: trained, to: path, decision: decisionData)
                decisionBundle = path
            } catch {
                logger.warning("the decision bundle could not be written: \(error)")
            }
        }
        let measuredResult = TuneResult(
            profile: profile.name, workload: workloads.map { workloads.count > 1 ? "\($0.name): " + $0.run.joined(separator: " ") : $0.run.joined(separator: " ") }.joined(separator: "; "),
            reference: matrix.reference,
            variants: variants, aa: aa, rounds: rounds, budgetSeconds: budget, measuringSeconds: (measuringSeconds * 1000).rounded() / 1000,
            buildSeconds: (buildSeconds * 1000).rounded() / 1000, decided: decided, hardwareCounters: hardware,
            decision: .init(variant: chosen.name, reason: choice.reason, file: decisionPath), machine: machine)
        var written = measuredResult
        written.countersWorkload = valgrind ? (settings.countersWorkload == .bench && profile.bench != nil ? "bench" : "verify") : nil
        written.totalSeconds = (elapsed() * 1000).rounded() / 1000
        written.decision.bundle = decisionBundle
        let result = written
        try AtomicFile.write(try JSONEncoder.temper.encode(result), to: root.root + "/tune.json")
        try AtomicFile.write(Data(TuneRenderer.markdown(result).utf8), to: root.root + "/tune.md")
        try AtomicFile.write(Data(TuneRenderer.html(result).utf8), to: root.root + "/tune.html")
        return result
    }

    /// Interleaved shuffled rounds (one warmup, then batches) until every side's interval
    /// against the reference lies on one side of 1.0, the rounds run out, or five more rounds
    /// would not fit in the time left. A side whose workload fails is dropped; the reference's
    /// or the A/A copy's failure stops the tune.
    func measureWallTime(
        _ initial: [InterleavedRounds<TuneSide>.Subject], names: [TuneSide: String], reference: Int, options: Options, directory: String,
        timeLeft: () -> Double, decided isDecided: ([TuneSide: [Double]], [TuneSide]) -> Bool
    ) async throws -> (samples: [TuneSide: [Double]], rounds: Int, decided: Bool, dropped: [TuneSide: String]) {
        var subjects = initial
        var samples: [TuneSide: [Double]] = [:]
        var dropped: [TuneSide: String] = [:]
        var rounds = 0
        var decided = false
        let measurement = WorkloadMeasurement(runner: runner)
        let logger = self.logger
        while rounds < options.maximumRounds {
            let first = rounds == 0
            let batch = first ? options.minimumRounds : max(1, min(5, options.maximumRounds - rounds))
            let roundStart = ContinuousClock.now
            let done = rounds
            var failedNow: [TuneSide: String] = [:]
            let result = try await InterleavedRounds<TuneSide>(warmup: first ? 1 : 0, rounds: batch, measurement: measurement).run(
                subjects, log: { "\(directory)/\(names[$0] ?? "side")-\(done + $1.index).log" },
                announce: { if !$0.isWarmup { logger.info("round \(done + $0.number) (\($0.sides) builds, shuffled)") } },
                failed: { side, failure in
                    guard side.index != nil, side.index != reference else {
                        throw TuneError.workloadFailed(names[side] ?? "reference", status: failure.status, log: failure.log)
                    }
                    failedNow[side] = "the workload failed (\(failure.status)); log: \(failure.log)"
                })
            // A variant that fails one workload is dropped from all of them.
            for (side, message) in failedNow {
                for other in subjects.map(\.side) where other.index == side.index {
                    dropped[other] = message
                    samples[other] = nil
                }
                subjects.removeAll { $0.side.index == side.index }
            }
            for (side, values) in result where dropped[side] == nil { samples[side, default: []] += values.map(\.seconds) }
            rounds += batch
            decided = isDecided(samples, subjects.map(\.side))
            let perRound = roundStart.duration(to: .now).seconds / Double(batch)
            if decided || perRound * 5 > timeLeft() { break }
        }
        return (samples, rounds, decided, dropped)
    }

    /// Whether `perf stat` counts hardware events here, and if not, why: said in the report.
    func hardwareCounters(directory: String) async -> String {
        guard ToolchainResolver.onPath("perf") != nil else { return "unavailable: perf is not installed" }
        let probe = ToolCommands.perfStatProbe(directory: directory)
        guard let (outcome, text) = try? await runner.capture(probe) else { return "unavailable: perf stat could not start" }
        if outcome.succeeded, !text.contains("<not supported>"), !text.contains("<not counted>") {
            return "available: perf stat counts instructions and cycles here; each variant's `hardware` holds one run's counters of the first workload"
        }
        let line = text.split(separator: "\n").first { $0.contains("not supported") || $0.contains("not counted") || $0.contains("rror") }.map(String.init) ?? outcome.statusDescription
        return "unavailable: perf stat cannot count hardware events on this machine (\(line.trimmingCharacters(in: .whitespaces)))"
    }

    static func size(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }

    static func machine(toolchain: String) -> TuneDecision.Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let cpu = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let kernel = ((try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8)) ?? "unknown").trimmingCharacters(in: .whitespacesAndNewlines)
        return TuneDecision.Machine(host: ProcessInfo.processInfo.hostName, cpu: cpu, kernel: kernel, toolchain: toolchain)
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}

/// A side of the wall-time comparison: a matrix row by index, or (nil) the A/A copy.
struct TuneSide: Hashable, Sendable {
    var index: Int?
    var workload = 0
}

public enum TuneError: Error, CustomStringConvertible, Equatable {
    case referenceNotBuilt(String, reason: String)
    case workloadFailed(String, status: String, log: String)

    public var description: String {
        switch self {
        case .referenceNotBuilt(let name, let reason): return "the reference variant `\(name)` could not be built, so nothing can be compared: \(reason)"
        case .workloadFailed(let name, let status, let log): return "the workload failed on \(name) (\(status)); log: \(log). Check [bench] (or [verify]) on that build."
        }
    }
}

extension TuneError: ExitCoded {
    public var exitStatus: Int32 { ExitStatus.stageFailed }
}
