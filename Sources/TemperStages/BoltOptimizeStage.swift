import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// Builds each BOLT candidate (LLVM's default flags, one that leaves the dispatch functions
/// alone, the profile's own sets) from the merged profile, verifies each against the pre-BOLT
/// build, measures the verified ones against it, interleaved and shuffled, and keeps the
/// fastest only when it is faster with 95% confidence (`[bolt] select = "fastest"`). Otherwise
/// `out/` keeps the PGO+LTO build. The decision is part of the stage's record, so a rerun
/// reuses it and the machine's noise cannot flip a published result back and forth.
public struct BoltOptimizeStage: Stage {
    public let id: StageID
    let profile: PipelineProfile
    let bolt: BoltTools
    /// The optimized build tree whose artifacts are BOLTed, and the merged `.fdata` directory
    /// (one `NAME.fdata` per artifact), wired by the composer.
    let input: StageOutputPath
    let profiles: StageOutputPath
    /// The build that ships when BOLT is not kept (the plain optimize build): the pre-BOLT side
    /// of the selection and the hardening every candidate must keep. nil when no such build is
    /// part of the pipeline (tune's candidates, which tune measures against its own reference).
    let reference: StageOutputPath?

    public init(
        id: StageID = .boltOptimize, profile: PipelineProfile, bolt: BoltTools, input: StageOutputPath, profiles: StageOutputPath, reference: StageOutputPath? = nil
    ) {
        self.id = id
        self.profile = profile
        self.bolt = bolt
        self.input = input
        self.profiles = profiles
        self.reference = reference
    }

    public var consumes: [StageID] { [profiles.stage, input.stage] + [reference?.stage].compactMap { $0 } }

    /// The default candidate's flags, temper's reporting flags included.
    public var flags: [String] { BoltCandidate.all(profile: profile, tools: bolt, dispatch: [:])[0].flags + BoltTools.reportingFlags }

    /// Whether the selection also counts instructions (valgrind installed, and the profile
    /// does not turn it off).
    var countsInstructions: Bool { profile.bolt.selectionInstructions && bolt.valgrind != nil }

    /// The selection workload: the profile's [bench] command, else its verify command.
    var workloadName: String { profile.bench != nil ? "bench" : "verify" }

    /// Each candidate's artifacts are written into a mirror of the optimized build of its
    /// own, so they run (verify, measure, bench) exactly where the originals do. The default
    /// candidate's mirror is `tree`, as before candidates existed.
    func tree(_ workDir: WorkDir, _ candidate: String) -> String {
        workDir.stageDirectory(id) + (candidate == BoltCandidate.defaultName ? "/tree" : "/tree-" + candidate)
    }

    func output(_ workDir: WorkDir, _ candidate: String, _ artifact: (path: String, name: String)) -> String {
        tree(workDir, candidate) + "/" + artifact.path
    }

    func mergedProfile(_ workDir: WorkDir, _ name: String) -> String { profiles.absolute(in: workDir) + "/" + name + ".fdata" }

    /// The dispatch functions bolt-merge found in each artifact's profile (`NAME.dispatch`, one
    /// per line), when its record is at hand (it is whenever the executor plans; `temper plan`
    /// before a run has none). Part of its recorded outputs, so of this stage's fingerprint.
    func dispatch(_ context: PlanContext) -> [String: [String]]? {
        guard context.upstream[profiles.stage] != nil else { return nil }
        var functions: [String: [String]] = [:]
        for artifact in profile.boltArtifacts {
            let text = (try? String(contentsOfFile: profiles.absolute(in: context.workDir) + "/" + artifact.name + ".dispatch", encoding: .utf8)) ?? ""
            functions[artifact.name] = text.split(separator: "\n").map(String.init)
        }
        return functions
    }

    func candidates(_ context: PlanContext) -> [BoltCandidate] {
        BoltCandidate.all(profile: profile, tools: bolt, dispatch: dispatch(context)).map { candidate in
            var candidate = candidate
            candidate.flags = candidate.flags.map { flag in
                flag.hasPrefix("-skip-funcs=") && flag.utf8.count > Self.longestListFlag ? "-skip-funcs-file=" + Self.skipListName(candidate.name) : flag
            }
            return candidate
        }
    }

    /// A function list longer than this goes to llvm-bolt in a file (`-skip-funcs-file`): one
    /// argument may not exceed 128 KiB on Linux ("Argument list too long"), and a profile's
    /// dispatch functions are the profile's to decide.
    static let longestListFlag = 16 << 10

    /// The list file of a candidate, in this stage's directory (llvm-bolt's working directory).
    static func skipListName(_ candidate: String) -> String { "skip-funcs-\(candidate).txt" }

    /// The list files the candidates' commands read: written from the plan before llvm-bolt runs.
    func skipLists(_ context: PlanContext) -> [SkipList] {
        BoltCandidate.all(profile: profile, tools: bolt, dispatch: dispatch(context)).compactMap { candidate in
            guard let flag = candidate.flags.first(where: { $0.hasPrefix("-skip-funcs=") && $0.utf8.count > Self.longestListFlag }) else { return nil }
            return SkipList(
                path: context.workDir.stageDirectory(id) + "/" + Self.skipListName(candidate.name),
                functions: flag.dropFirst("-skip-funcs=".count).split(separator: ",").map(String.init))
        }
    }

    /// A function list written into a file for `-skip-funcs-file`, as a plan value.
    public struct SkipList: Sendable, Equatable, Encodable {
        public var path: String
        public var functions: [String]
    }

    /// The profile llvm-bolt reads for an artifact. A profile from a bundle names the binary it
    /// was recorded on (`NAME.binary`); when this build's binary differs, BOLT gets the YAML form
    /// (`NAME.yaml`, with block hashes) and `-infer-stale-profile`, which matches the profile to
    /// the changed code instead of dropping every function whose bytes moved.
    ///
    /// llvm-bolt reads a copy in this stage's own directory: BOLT writes its command line into
    /// the binary (`.note.bolt_info`), so the path must not depend on which stage made the
    /// profile (bolt-merge, or a bundle's import) for the same profile to give the same bytes.
    func profileChoice(_ context: PlanContext, _ artifact: (path: String, name: String)) -> (source: String, path: String, flags: [String]) {
        let base = profiles.absolute(in: context.workDir) + "/" + artifact.name
        let own = context.workDir.stageDirectory(id) + "/profile/" + artifact.name
        let relative = context.workDir.relative(input.absolute(in: context.workDir) + "/" + artifact.path)
        guard let recorded = try? String(contentsOfFile: base + ".binary", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            FileManager.default.fileExists(atPath: base + ".yaml"),
            let current = context.upstream[input.stage]?.outputs[relative], recorded != current
        else { return (base + ".fdata", own + ".fdata", []) }
        return (base + ".yaml", own + ".yaml", ["-infer-stale-profile"])
    }

    func command(_ artifact: (path: String, name: String), _ candidate: BoltCandidate, _ context: PlanContext) -> Command {
        let workDir = context.workDir
        let choice = profileChoice(context, artifact)
        return ToolCommands.boltOptimize(
            bolt, input: input.absolute(in: workDir) + "/" + artifact.path, profile: choice.path,
            output: output(workDir, candidate.name, artifact), flags: candidate.flags + choice.flags, directory: workDir.stageDirectory(id))
    }

    /// A task (verify or bench) run against the artifacts in `build`.
    func taskCommand(run: [String], cwd: String?, env: [String: String], timeout: Double?, in build: String) -> Command {
        profile.command(run: run, cwd: cwd, env: env, timeout: timeout, build: build, directory: build, artifacts: profile.artifactPaths(in: build))
    }

    func verifyCommand(in build: String) -> Command {
        let task = profile.verifyTask
        return taskCommand(run: task.run, cwd: task.cwd, env: task.env, timeout: task.timeout, in: build)
    }

    func workloadCommand(in build: String) -> Command {
        guard let bench = profile.bench else { return verifyCommand(in: build) }
        return taskCommand(run: bench.run, cwd: bench.cwd, env: bench.env, timeout: nil, in: build)
    }

    /// Where GNU time writes one side's CPU time and peak RSS (each round overwrites it).
    func usageFile(_ workDir: WorkDir, _ side: String) -> String { workDir.stageDirectory(id) + "/selection/\(side).usage" }

    static let preBolt = BoltFlagSet.preBoltName

    public func plan(_ context: PlanContext) throws -> Plan {
        let workDir = context.workDir
        let choices = profile.boltArtifacts.map { profileChoice(context, $0) }
        let candidates = candidates(context).map { candidate in
            Plan.CandidatePlan(candidate: candidate, tree: tree(workDir, candidate.name), builds: zip(profile.boltArtifacts, choices).map { artifact, choice in
                Plan.Build(
                    artifact: artifact.name, input: input.absolute(in: workDir) + "/" + artifact.path,
                    reference: reference.map { $0.absolute(in: workDir) + "/" + artifact.path }, output: output(workDir, candidate.name, artifact),
                    profile: mergedProfile(workDir, artifact.name), inferStaleProfile: choice.flags.contains("-infer-stale-profile"),
                    command: command(artifact, candidate, context))
            })
        }
        // A pinned decision (or tune, which measures itself) runs no selection: no measurement is planned.
        let measuring = profile.bolt.select.measures
        let counted = countsInstructions && measuring
        func side(_ candidate: String?, _ name: String, in build: String) -> Plan.Side {
            let measured = WorkloadMeasurement.timed(workloadCommand(in: build), usageFile: usageFile(workDir, name))
            // By default instructions are counted on the verify command: usually shorter than the
            // bench, and callgrind runs ~50x slower.
            let instructions = counted
                ? ToolCommands.callgrind(profile.bolt.instructionsWorkload == .bench ? workloadCommand(in: build) : verifyCommand(in: build)) : nil
            return Plan.Side(
                candidate: candidate, name: name, verify: verifyCommand(in: build), measure: measuring ? measured.command : nil,
                usageFile: measuring ? measured.usageFile : nil, instructions: instructions)
        }
        return Plan(
            profileCopies: choices.map { FileCopy(source: $0.source, destination: $0.path) },
            skipLists: skipLists(context),
            candidates: candidates,
            preBolt: side(nil, Self.preBolt, in: (reference ?? input).absolute(in: workDir)),
            sides: candidates.map { side($0.candidate.name, $0.candidate.name, in: $0.tree) },
            compare: profile.bolt.compare, acceptNonPIE: profile.bolt.acceptNonPIE, select: profile.bolt.select, rounds: measuring ? profile.bolt.rounds : 0, workload: workloadName, rule: BoltSelection.rule,
            instructionsWorkload: counted ? (profile.bolt.instructionsWorkload == .bench ? workloadName : "verify") : nil)
    }

    /// The whole selection as a value: the profile copies, every candidate's llvm-bolt runs, and
    /// per side (pre-BOLT, then each candidate) the verify, measure and callgrind commands.
    /// Execute reads nothing else: it never re-derives the candidates.
    public struct Plan: StagePlan {
        /// One llvm-bolt run: an artifact of a candidate.
        public struct Build: CommandItem {
            public var artifact: String
            public var input: String
            /// The same artifact in the build that ships without BOLT, whose hardening it must keep.
            public var reference: String?
            public var output: String
            /// The merged profile, read for the hotness of the functions BOLT could not process.
            public var profile: String
            /// A stale profile (a bundle's, recorded on another binary) matched by llvm-bolt.
            public var inferStaleProfile: Bool
            public var command: Command
        }

        public struct CandidatePlan: Sendable, Equatable, Encodable {
            public var candidate: BoltCandidate
            /// The mirror of the optimized build its artifacts are written into.
            public var tree: String
            public var builds: [Build]
        }

        /// One side of the comparison, identified by `candidate` (nil: the pre-BOLT build), never by its name.
        public struct Side: Sendable, Equatable, Encodable {
            public var candidate: String?
            public var name: String
            public var verify: Command
            /// The timed workload; nil when the selection measures nothing (pinned, or tune's).
            public var measure: Command?
            public var usageFile: String?
            public var instructions: Command?
        }

        public var profileCopies: [FileCopy]
        /// Long function lists, written to the files their `-skip-funcs-file` flags name.
        public var skipLists: [SkipList] = []
        public var candidates: [CandidatePlan]
        public var preBolt: Side
        /// The candidates' sides, in the order of `candidates`.
        public var sides: [Side]
        public var compare: VerifyComparison
        /// Whether a candidate may be non-PIE where the reference is a PIE (`[bolt] accept_non_pie`).
        public var acceptNonPIE: Bool
        public var select: BoltSelect
        public var rounds: Int
        public var workload: String
        /// The selection rule (`BoltSelection.rule`): a rerun under another rule measures again.
        public var rule: String
        /// Which workload callgrind counts, nil when instructions are not counted.
        public var instructionsWorkload: String?

        func side(of candidate: String) -> Side? { sides.first { $0.candidate == candidate } }

        public var steps: [PlanStep] {
            let all = [preBolt] + sides
            func label(_ step: String, _ side: Side) -> String { side.candidate == nil ? "\(step) (\(side.name))" : "\(step) [\(side.name)]" }
            return candidates.flatMap { plan in plan.builds.map { PlanStep("llvm-bolt \($0.artifact) [\(plan.candidate.name)]", $0.command) } }
                + all.map { PlanStep(label("verify", $0), $0.verify) }
                + all.compactMap { side in side.measure.map { PlanStep(label("measure", side), $0) } }
                + all.compactMap { side in side.instructions.map { PlanStep(label("instructions", side), $0) } }
        }

        public func mapCommands(_ transform: (Command) -> Command) -> Plan {
            var plan = self
            for index in plan.candidates.indices { plan.candidates[index].builds = candidates[index].builds.mappingCommands(transform) }
            func mapped(_ side: Side) -> Side {
                var side = side
                side.verify = transform(side.verify)
                side.measure = side.measure.map(transform)
                side.instructions = side.instructions.map(transform)
                return side
            }
            plan.preBolt = mapped(preBolt)
            plan.sides = sides.map(mapped)
            return plan
        }
    }

    /// A candidate on its way through the stage.
    struct Built {
        var candidate: BoltCandidate
        var reports: [BoltArtifactReport] = []
        var failure: String?
        var verified = false
        var samples: [Double] = []
        var instructions: Int?
    }

    public func execute(_ plan: Plan, _ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        try workDir.freshDirectory(context.directory)
        for copy in plan.profileCopies {
            try workDir.copy(copy.source, to: copy.destination)
        }
        for list in plan.skipLists {
            try AtomicFile.write(Data(list.functions.map { $0 + "\n" }.joined().utf8), to: list.path, durable: false)
        }
        var built = try await build(plan.candidates, acceptNonPIE: plan.acceptNonPIE, context)
        guard built.contains(where: { $0.failure == nil }) else {
            let failure = built.first?.failure ?? "no candidate"
            throw StageError(stage: name, message: failure)
        }
        try await verify(&built, plan, context)
        let verified = built.filter { $0.failure == nil }
        guard !verified.isEmpty else {
            let failure = built.first { $0.candidate.name == BoltCandidate.defaultName }?.failure ?? built[0].failure ?? ""
            throw StageError(stage: name, message: "BOLT verification failed: \(failure)\n  The pre-BOLT artifact stays in out/. Check [bolt] flags, or run with --no-bolt.")
        }
        let (preSamples, preInstructions) = plan.select.measures ? try await measure(&built, plan, context) : ([], nil)

        let measured = built.filter { $0.failure == nil }
        let decision = BoltSelection.decide(
            preBolt: .init(name: Self.preBolt, seconds: preSamples, instructions: preInstructions),
            candidates: measured.map { .init(name: $0.candidate.name, seconds: $0.samples, instructions: $0.instructions) },
            select: plan.select)
        if decision.published == nil, plan.select == .none {
            context.logger.info("BOLT \(decision.reason).")
        } else if decision.published == nil {
            context.logger.warning("BOLT \(decision.reason). out/ keeps the PGO+LTO build.")
        } else {
            context.logger.info("BOLT \(decision.reason)")
        }

        var outputs: [String] = []
        var named: [String: String] = [:]
        let shown = built.first { $0.candidate.name == decision.published } ?? built.first { $0.candidate.name == BoltCandidate.defaultName && $0.failure == nil } ?? measured[0]
        if let published = decision.published {
            for build in plan.candidates.first(where: { $0.candidate.name == published })?.builds ?? [] {
                outputs.append(build.output)
                named[output: .artifact(build.artifact)] = workDir.relative(build.output)
            }
        }
        let preMedian = preSamples.isEmpty ? nil : Statistics.median(preSamples)
        let summary = BoltSummary(
            artifacts: shown.reports,
            verifySeconds: preMedian.flatMap { pre in shown.samples.isEmpty ? nil : BoltSummary.Timing(runs: plan.rounds, preBolt: pre, bolted: Statistics.median(shown.samples)) },
            selection: BoltSummary.Selection(
                workload: plan.workload, command: plan.preBolt.measure?.displayString ?? "",
                rounds: plan.rounds, select: plan.select.rawValue,
                preBolt: BoltSummary.Candidate(
                    name: Self.preBolt, flags: [], verified: true, medianSeconds: preMedian, instructions: preInstructions,
                    takenBranches: sum(built.first { $0.failure == nil }?.reports, "before"),
                    bytes: (plan.candidates.first?.builds ?? []).map { Self.size($0.input) }.reduce(0, +), artifacts: [],
                    hardening: Self.hardening((plan.candidates.first?.builds ?? []).map { ($0.artifact, $0.reference ?? $0.input) })),
                candidates: built.map { entry in
                    BoltSummary.Candidate(
                        name: entry.candidate.name, flags: entry.candidate.flags, verified: entry.verified,
                        failure: entry.failure, medianSeconds: entry.samples.isEmpty ? nil : Statistics.median(entry.samples),
                        ratio: decision.ratios[entry.candidate.name], instructions: entry.instructions,
                        takenBranches: sum(entry.reports, "after"), bytes: entry.reports.isEmpty ? nil : entry.reports.map(\.bytesAfter).reduce(0, +),
                        artifacts: entry.reports,
                        hardening: Self.hardening((plan.candidates.first { $0.candidate.name == entry.candidate.name }?.builds ?? []).map { ($0.artifact, $0.output) }))
                },
                published: decision.published, reason: decision.reason, instructionsWorkload: plan.instructionsWorkload))
        for planned in plan.candidates where built.contains(where: { $0.candidate.name == planned.candidate.name && $0.failure == nil }) {
            named[output: .candidateTree(planned.candidate.name)] = workDir.relative(planned.tree)
        }
        let reportPath = context.directory + "/bolt-report.json"
        try JSONEncoder.temper.encode(summary).write(to: URL(fileURLWithPath: reportPath))
        outputs.append(reportPath)
        named[output: .boltReport] = workDir.relative(reportPath)
        let taken = shown.reports.compactMap { report -> String? in
            guard let before = report.dynoStats["before"]?["taken_branches"], let after = report.dynoStats["after"]?["taken_branches"], before > 0 else { return nil }
            return String(format: "%@: taken branches %+.1f%%", report.name, 100 * Double(after - before) / Double(before))
        }
        let verdict = decision.published.map { name in
            decision.ratios[name].map { String(format: "kept %@ (%.3fx [%.3f, %.3f])", name, $0.value, $0.low, $0.high) } ?? "kept \(name)"
        } ?? "not kept: out/ keeps PGO+LTO"
        return StageResult(
            outputs: outputs,
            counts: [
                "failed_functions": shown.reports.map(\.failedFunctions).reduce(0, +), "candidates": built.count,
                "candidates_verified": measured.count, "bolt_kept": decision.published == nil ? 0 : 1,
            ],
            named: named,
            message: ([verdict] + taken).joined(separator: ", "))
    }

    /// Each file's hardening, by artifact name; nil when none is an ELF file (or none was written).
    static func hardening(_ files: [(artifact: String, path: String)]) -> [String: Hardening]? {
        let found = files.compactMap { file in ELFFile(path: file.path).map { (file.artifact, $0.hardening) } }
        return found.isEmpty ? nil : Dictionary(found, uniquingKeysWith: { first, _ in first })
    }

    func sum(_ reports: [BoltArtifactReport]?, _ side: String) -> Int? {
        let values = (reports ?? []).compactMap { $0.dynoStats[side]?["taken_branches"] }
        return values.isEmpty ? nil : values.reduce(0, +)
    }

    /// llvm-bolt for every candidate, up to `jobs` candidates at once. A candidate whose
    /// llvm-bolt fails is dropped with its reason; the caller fails the stage if none is left.
    func build(_ candidates: [Plan.CandidatePlan], acceptNonPIE: Bool, _ context: StageContext) async throws -> [Built] {
        let workDir = context.workDir
        for candidate in candidates {
            // The BOLT artifacts are left out of the mirror: llvm-bolt writes them as new files.
            try BoltPaths.mirror(input.absolute(in: workDir), into: candidate.tree, replacing: [:], workDir: workDir)
            for build in candidate.builds { try workDir.remove(build.output) }
        }
        var results: [String: Built] = [:]
        try await BoundedParallel.run(candidates, lanes: context.plan.jobs ?? 1, body: { try await buildOne($0, acceptNonPIE: acceptNonPIE, context) }) { done in
            results[done.candidate.name] = done
            if let failure = done.failure { context.logger.warning("BOLT candidate \(done.candidate.name) dropped: \(failure.split(separator: "\n").first ?? "")") }
            return true
        }
        return candidates.compactMap { results[$0.candidate.name] }
    }

    func buildOne(_ planned: Plan.CandidatePlan, acceptNonPIE: Bool, _ context: StageContext) async throws -> Built {
        let workDir = context.workDir
        let candidate = planned.candidate
        var entry = Built(candidate: candidate)
        for build in planned.builds {
            let artifact = (name: build.artifact, input: build.input)
            let suffix = candidate.name == BoltCandidate.defaultName ? "" : "-" + candidate.name
            let log = workDir.log("\(name)-\(artifact.name)\(suffix)")
            try workDir.remove(log)
            let command = build.command
            let outcome = try await context.runner.run(command, logPath: log)
            let result = build.output
            guard outcome.succeeded, FileManager.default.fileExists(atPath: result) else {
                entry.failure = StageError.toolFailed(
                    stage: name, step: "llvm-bolt \(artifact.name) [\(candidate.name)]", command: command, outcome: outcome,
                    hint: "The pre-BOLT artifact stays in out/. If a flag is at fault, adjust [bolt] flags, extra_flags or candidates, or run with --no-bolt.").message
                return entry
            }
            guard let bolted = ELFFile(path: result), bolted.isBolted else {
                entry.failure = "llvm-bolt exited 0 but \(result) carries no BOLT marker (.note.bolt_info). Log: \(log)"
                return entry
            }
            // Never weaker than what ships without BOLT (the plain build; its input when there is
            // none): a candidate that lost a protection is dropped, unless the profile accepts
            // that loss (non-PIE alone, `[bolt] accept_non_pie`).
            if let against = ELFFile(path: build.reference ?? build.input) {
                let lost = bolted.hardening.lost(against: against.hardening, comparePIE: !acceptNonPIE)
                if !lost.isEmpty {
                    let what = build.reference == nil ? "its input" : "the plain build (what ships without BOLT)"
                    entry.failure = "candidate \(candidate.name) made \(artifact.name) less hardened than \(what): \(lost.joined(separator: "; "))"
                        + (candidate.flags.contains("-use-gnu-stack") ? ". Its flags include -use-gnu-stack, which drops PT_GNU_STACK with LLVM 22 (LLVM issue 174191): remove it." : "")
                        + (bolted.hardening.pie == "no" && against.hardening.pie != "no" && !acceptNonPIE
                            ? ". Keep [bolt] pie = true, or accept a non-PIE result with [bolt] accept_non_pie = true." : ".")
                    return entry
                }
            }
            let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let parsed = BoltOutput.parse(logText)
            let matching = BoltOutput.matching(logText)
            let hotness = BoltOutput.hotness(fdata: (try? String(contentsOfFile: build.profile, encoding: .utf8)) ?? "")
            let hottest = parsed.failedFunctions
                .map { BoltArtifactReport.Function(name: $0, count: hotness[$0] ?? 0) }
                .sorted { ($0.count, $1.name) > ($1.count, $0.name) }
            if candidate.name == BoltCandidate.defaultName, let top = hottest.first, top.count > 0 {
                context.logger.warning("BOLT could not process \(parsed.failedFunctions.count) function(s) of \(artifact.name); the hottest is \(top.name) (\(top.count) profile counts)")
            }
            entry.reports.append(BoltArtifactReport(
                name: artifact.name, flags: candidate.flags + BoltTools.reportingFlags, dynoStats: ["before": parsed.before, "after": parsed.after],
                failedFunctions: parsed.failedFunctions.count, hottestFailed: Array(hottest.prefix(10)), verified: false,
                bytesBefore: Self.size(artifact.input), bytesAfter: Self.size(result), inferStaleProfile: build.inferStaleProfile,
                functionsWithProfile: matching.profiled, functionsStale: matching.stale, functionsInferred: matching.inferred))
        }
        return entry
    }

    /// Runs the verify command on the pre-BOLT build once and on every built candidate; a
    /// candidate that ends differently (or prints something else, with compare = "output") is
    /// dropped with the reason.
    func verify(_ built: inout [Built], _ plan: Plan, _ context: StageContext) async throws {
        let workDir = context.workDir
        let before = plan.preBolt.verify
        let beforeLog = workDir.log("\(name)-verify-pre-bolt")
        try workDir.remove(beforeLog)
        let expected = try await context.runner.run(before, logPath: beforeLog, annotate: false)
        let expectedOutput = try? String(contentsOfFile: beforeLog, encoding: .utf8)
        for index in built.indices where built[index].failure == nil {
            let candidate = built[index].candidate.name
            guard let after = plan.side(of: candidate)?.verify else { continue }
            let afterLog = workDir.log("\(name)-verify-" + (candidate == BoltCandidate.defaultName ? "bolted" : candidate))
            try workDir.remove(afterLog)
            let actual = try await context.runner.run(after, logPath: afterLog, annotate: false)
            let failure: String?
            if !actual.succeeded {
                failure = "the verify command failed on the BOLTed artifact (\(actual.statusDescription))"
            } else if actual.termination != expected.termination {
                failure = "the verify command ended with \(actual.statusDescription) on the BOLTed artifact but \(expected.statusDescription) before BOLT"
            } else if plan.compare == .output, (try? String(contentsOfFile: afterLog, encoding: .utf8)) != expectedOutput {
                failure = "the verify command printed something else on the BOLTed artifact than before BOLT (compare \(beforeLog) with \(afterLog); set [bolt] compare = \"status\" if the program prints timings)"
            } else {
                failure = nil
            }
            if let failure {
                built[index].failure = "candidate \(candidate): \(failure).\n  $ \(after.displayString)\n  last lines of output:\n\(LogTail.indented(afterLog))"
                context.logger.warning("BOLT candidate \(candidate) dropped: \(failure)")
            } else {
                built[index].verified = true
                for report in built[index].reports.indices { built[index].reports[report].verified = true }
            }
        }
    }

    /// One warmup round, then `rounds` rounds in which pre-BOLT and every verified candidate
    /// each run the workload once, in shuffled order; then instructions, when counted.
    func measure(_ built: inout [Built], _ plan: Plan, _ context: StageContext) async throws -> (samples: [Double], instructions: Int?) {
        let workDir = context.workDir
        let directory = context.directory + "/selection"
        try workDir.freshDirectory(directory)
        let measurement = WorkloadMeasurement(runner: context.runner)
        // Sides are identified by their candidate (nil: pre-BOLT), never by a name.
        let remaining = Set(built.filter { $0.failure == nil }.map(\.candidate.name))
        let sides = [plan.preBolt] + plan.sides.filter { $0.candidate.map(remaining.contains) ?? false }
        let subjects = sides.compactMap { side in side.measure.map { InterleavedRounds<String?>.Subject(side: side.candidate, command: $0, usageFile: side.usageFile) } }
        let names = Dictionary(uniqueKeysWithValues: sides.map { ($0.candidate, $0.name) })
        var dropped: [String: String] = [:]
        let (name, workloadName, logger) = (self.name, plan.workload, context.logger)
        let measured = try await InterleavedRounds<String?>(warmup: 1, rounds: plan.rounds, measurement: measurement).run(
            subjects, log: { "\(directory)/\(names[$0] ?? "side")-\($1.index).log" },
            announce: { logger.info($0.isWarmup ? "selection: warmup round" : "selection: round \($0.number) of \($0.of) (\($0.sides) builds, shuffled)") },
            failed: { side, failure in
                let label = names[side] ?? "side"
                let message = "the \(workloadName) workload failed on \(label) (\(failure.status)); log: \(failure.log)"
                guard let candidate = side else { throw StageError(stage: name, message: message) }
                dropped[candidate] = message
                logger.warning("BOLT candidate \(candidate) dropped: \(message)")
            })
        for (candidate, message) in dropped {
            if let index = built.firstIndex(where: { $0.candidate.name == candidate }) { built[index].failure = message }
        }
        let samples = measured.mapValues { $0.map(\.seconds) }
        var instructions: [String?: Int] = [:]
        // Counts do not depend on what else runs: up to `jobs` callgrind runs at once.
        let counted = sides.filter { $0.candidate.map { dropped[$0] == nil } ?? true }.compactMap { side in side.instructions.map { (side, $0) } }
        try await BoundedParallel.run(
            counted, lanes: context.plan.jobs ?? 1,
            body: { (entry: (Plan.Side, Command)) -> (String?, Int?) in
                let (side, command) = entry
                do {
                    return (side.candidate, try await measurement.count(callgrind: command, log: "\(directory)/\(side.name)-callgrind.log"))
                } catch let failure as WorkloadMeasurement.Failure {
                    context.logger.warning("counting instructions failed for \(side.name) (\(failure.status)); the selection uses wall time only. Log: \(failure.log)")
                    return (side.candidate, nil)
                }
            },
            collect: { (result: (String?, Int?)) in
                instructions[result.0] = result.1
                return true
            })
        for index in built.indices {
            built[index].samples = samples[built[index].candidate.name] ?? []
            built[index].instructions = instructions[built[index].candidate.name] ?? nil
        }
        return (samples[nil] ?? [], instructions[nil] ?? nil)
    }

    static func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
