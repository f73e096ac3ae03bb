import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// Configures and builds the project in a fresh directory of its own, with the variant's
/// flags injected through both the environment and the placeholders. Used for instrument,
/// optimize and baseline, so that the three builds differ only in their injected flags.
public struct BuildStage: Stage {
    /// What decides this build's commands; the install stage gets the same value.
    public let recipe: BuildRecipe
    /// Later builds whose configure runs while this one builds (see `ConfigureAhead`).
    public let configuresAhead: [BuildStage]

    public init(variant: BuildVariant, profileFrom: StageID? = nil, profile: PipelineProfile, toolchain: Toolchain, configuresAhead: [BuildStage] = []) {
        self.recipe = BuildRecipe(variant: variant, profile: profile, toolchain: toolchain, profileFrom: profileFrom)
        self.configuresAhead = configuresAhead
    }

    public var variant: BuildVariant { recipe.variant }
    var profile: PipelineProfile { recipe.profile }
    var toolchain: Toolchain { recipe.toolchain }
    /// The stage whose merged profile this build uses (the optimize build), wired by the composer.
    public var profileFrom: StageID? { recipe.profileFrom }
    public var id: StageID { recipe.id }
    public var consumes: [StageID] { recipe.consumes }
    /// The build tree this stage produces, which the composer hands to the stages that run or read it.
    public var tree: StageOutputPath { recipe.tree }
    var usesCcache: Bool { recipe.usesCcache }
    static let cacheLog = BuildRecipe.cacheLog

    func buildDirectory(_ workDir: WorkDir) -> String { recipe.buildDirectory(workDir) }
    func profileCopy(_ context: PlanContext) -> (source: String, path: String)? { recipe.profileCopy(context) }
    func flags(_ context: PlanContext) -> InjectedFlags { recipe.flags(context) }
    func rendering(_ context: PlanContext, build: String) -> (values: [String: String], environment: [String: String]) { recipe.rendering(context, build: build) }

    /// Whether this build's configure may run before its upstream stages finish: it has one,
    /// the profile allows it, and its commands cannot see the injected flags (the only part of
    /// a build's plan that reads upstream results, e.g. the profile data path).
    public var canConfigureAhead: Bool {
        guard profile.build.configureAhead, !profile.build.configure.isEmpty, !profile.build.exportFlags else { return false }
        let flagPlaceholders = ["{cflags}", "{cxxflags}", "{ldflags}"]
        let templates = profile.build.configure.flatMap { $0 } + profile.build.env.values
        return !templates.contains { template in flagPlaceholders.contains { template.contains($0) } }
    }

    public func plan(_ context: PlanContext) throws -> Plan {
        let build = buildDirectory(context.workDir)
        let (values, environment) = rendering(context, build: build)
        func command(_ argv: [String]) -> Command {
            let words = argv.map { Placeholders.render($0, values: values) }
            return Command(executable: words[0], arguments: Array(words.dropFirst()), environment: environment, workingDirectory: build)
        }
        return Plan(
            buildDirectory: build, configure: profile.build.configure.map(command), build: profile.build.build.map(command),
            profileCopy: profileCopy(context).map { FileCopy(source: $0.source, destination: $0.path) },
            gccProfiles: variant.isOptimized && toolchain.family == .gcc ? gccProfiles(context, in: build) : nil,
            artifacts: profile.build.artifacts)
    }

    /// The build, as a value: its commands, the profile files it copies in first (read from
    /// the merge's record), and the artifacts it must leave.
    public struct Plan: StagePlan {
        public var buildDirectory: String
        public var configure: [Command]
        public var build: [Command]
        /// Clang: the merged profile, copied into this stage's directory under its content name.
        public var profileCopy: FileCopy?
        /// GCC: the merged `.gcda` files, copied to the object paths; nil when not a GCC
        /// optimize build, empty when the merge recorded none (execute then refuses).
        public var gccProfiles: [FileCopy]?
        public var artifacts: [String]

        public var steps: [PlanStep] { configure.map { PlanStep("configure", $0) } + build.map { PlanStep("build", $0) } }

        public func mapCommands(_ transform: (Command) -> Command) -> Plan {
            var plan = self
            plan.configure = configure.map(transform)
            plan.build = build.map(transform)
            return plan
        }
    }

    /// The instrumented build must be instrumented and the others must not be: a build system
    /// that ignores the injected flags would otherwise give a silently useless result.
    func checkInstrumentation(of artifact: String, log: String) throws {
        guard let elf = ELFFile(path: artifact) else { return }
        let instrumented = toolchain.family == .clang ? elf.hasProfileInstrumentation : ELFFile.contains(artifact, ".gcda")
        let mark = toolchain.family == .clang ? "the __llvm_prf_cnts section" : "gcov's .gcda file names"
        if variant.isInstrumented, !instrumented {
            throw StageError(stage: name, message: "\(artifact) has no profile instrumentation (no \(mark)): the build did not use the injected flags. Pass {cflags} and {ldflags} (or CFLAGS/LDFLAGS from the environment) to the compiler and linker. Build log: \(log)")
        }
        if !variant.isInstrumented, instrumented {
            throw StageError(stage: name, message: "\(artifact) still contains profile instrumentation (\(mark)): objects or flags from the instrumented build leaked into this one. Check the build for hard-coded -fprofile-generate or a shared object cache. Build log: \(log)")
        }
    }

    /// GCC reads each object's profile from `<object path>.gcda` (or `<output>-<source>.gcda`
    /// for one-step builds): the merged tree mirrors the instrumented build directory, so it
    /// is copied to the same relative paths in this build directory. Empty without the record.
    func gccProfiles(_ context: PlanContext, in build: String) -> [FileCopy] {
        guard let merge = profileFrom.flatMap({ context.upstream[$0] }), let root = merge.output(.profileDirectory) else { return [] }
        return merge.outputs.keys.sorted().filter { $0.hasPrefix(root + "/") }.map { relative in
            FileCopy(source: context.workDir.absolute(relative), destination: build + "/" + relative.dropFirst(root.count + 1))
        }
    }

    public func execute(_ plan: Plan, _ context: StageContext) async throws -> StageResult {
        let build = plan.buildDirectory
        // Later builds configure while this one runs; awaited (or cancelled) when it ends.
        async let aheadNote = ConfigureAhead(stages: configuresAhead).run(context)
        let configuredAhead = try ConfigureAhead.consume(in: build, commands: plan.configure, shared: context.plan.shared, workDir: context.workDir)
        // Always a clean build: objects compiled with another profile break the LTO link. A tree
        // configured ahead holds nothing but configure's output.
        if configuredAhead {
            try context.workDir.emptyDirectory(context.directory, keeping: ["build"])
        } else {
            try context.workDir.freshDirectory(context.directory)
            try context.workDir.makeDirectory(build)
        }
        try context.workDir.remove(context.logPath)
        if configuredAhead {
            let note = "# configure ran ahead, during an earlier stage, with the same commands; its output: \(ConfigureAhead.log(of: self, in: context.workDir))\n"
            try AtomicFile.write(Data(note.utf8), to: context.logPath, durable: false)
            context.logger.debug("configure: already done ahead in \(build)")
        }
        if let copies = plan.gccProfiles {
            guard !copies.isEmpty else {
                throw StageError(stage: name, message: "the merge stage recorded no profile directory. Run `temper run --from merge`.")
            }
            for copy in copies { try context.workDir.copy(copy.source, to: copy.destination) }
        }
        if let copy = plan.profileCopy {
            try context.workDir.copy(copy.source, to: copy.destination)
        }
        func run(_ label: String, _ command: Command) async throws {
            context.logger.debug("\(label): \(command.displayString)")
            let outcome = try await context.runner.run(command, logPath: context.logPath)
            guard outcome.succeeded else {
                throw StageError.toolFailed(stage: name, step: label, command: command, outcome: outcome)
            }
        }
        if !configuredAhead {
            for command in plan.configure { try await run("configure", command) }
        }
        // Diagnostics are counted from the build proper: configure's test programs
        // (conftest.c) have no profile and would only add noise.
        let buildLogStart = UInt64((try? FileManager.default.attributesOfItem(atPath: context.logPath)[.size] as? Int) ?? 0)
        for command in plan.build { try await run("build", command) }
        var outputs: [String] = []
        var named: [String: String] = [:]
        let missing = plan.artifacts.filter { !FileManager.default.fileExists(atPath: build + "/" + $0) }
        guard missing.isEmpty else {
            throw StageError(stage: name, message: "the build succeeded but did not produce \(missing.joined(separator: ", ")) in \(build). Check `[build] artifacts` (paths relative to the build directory). Build log: \(context.logPath)")
        }
        for artifact in plan.artifacts {
            try checkInstrumentation(of: build + "/" + artifact, log: context.logPath)
            outputs.append(build + "/" + artifact)
        }
        var counts: [String: Int] = [:]
        var missingNote: String?
        if variant.isOptimized {
            let log = LogTail.text(of: context.logPath, from: buildLogStart)
            counts = CompilerDiagnostics.count(in: log)
            let byFile = context.directory + "/profile-warnings.json"
            try JSONEncoder.temper.encode(CompilerDiagnostics.byFile(in: log)).write(to: URL(fileURLWithPath: byFile))
            outputs.append(byFile)
            named[output: .profileWarningsByFile] = context.workDir.relative(byFile)
            let mismatches = context.directory + "/profile-mismatches.json"
            try JSONEncoder.temper.encode(ProfileMismatches.parse(log)).write(to: URL(fileURLWithPath: mismatches))
            outputs.append(mismatches)
            named[output: .profileMismatches] = context.workDir.relative(mismatches)
            // Which of the functions without profile data are in the artifacts at all.
            let symbols = plan.artifacts.reduce(into: Set<String>()) { names, artifact in
                if let elf = ELFFile(path: build + "/" + artifact, symbolTable: true) { names.formUnion(elf.staticSymbols.union(elf.dynamicSymbols)) }
            }
            let missing = MissingFunctions.account(missing: CompilerDiagnostics.missingFunctions(in: log), symbols: symbols)
            if counts["missing_functions", default: 0] > 0 {
                missingNote = "\(missing.map(\.inArtifacts).reduce(0, +)) of the missing functions in the artifacts"
            }
            let missingPath = context.directory + "/profile-missing.json"
            try JSONEncoder.temper.encode(missing).write(to: URL(fileURLWithPath: missingPath))
            outputs.append(missingPath)
            named[output: .profileMissing] = context.workDir.relative(missingPath)
        }
        var cacheNote: String?
        if usesCcache {
            let stats = CompileCacheStats.parse((try? String(contentsOfFile: context.directory + "/" + Self.cacheLog, encoding: .utf8)) ?? "")
            counts.merge(stats.counts) { _, new in new }
            cacheNote = "compile cache: \(stats.hits) hits, \(stats.misses) misses" + (stats.remoteHits > 0 ? " (\(stats.remoteHits) remote)" : "")
        }
        for (artifact, fileName) in zip(profile.build.artifacts, profile.build.artifactNames) {
            named[output: .artifact(fileName)] = context.workDir.relative(build + "/" + artifact)
        }
        let notes = [variant.isOptimized ? CompilerDiagnostics.summary(counts) : nil, missingNote, cacheNote, configuredAhead ? "configured ahead" : nil, await aheadNote]
        let note = notes.compactMap { $0 }.joined(separator: "; ")
        return StageResult(outputs: outputs, counts: counts, named: named, message: note.isEmpty ? nil : note)
    }
}
