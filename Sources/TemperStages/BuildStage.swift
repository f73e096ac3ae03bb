import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// Configures and builds the project in a fresh directory of its own, with the variant's
/// flags injected through both the environment and the placeholders. Used for instrument,
/// optimize and baseline, so that the three builds differ only in their injected flags.
public struct BuildStage: Stage {
    public let variant: BuildVariant
    let profile: PipelineProfile
    let toolchain: Toolchain
    /// The stage whose merged profile this build uses (the optimize build), wired by the composer.
    public let profileFrom: StageID?
    /// Later builds whose configure runs while this one builds (see `ConfigureAhead`).
    public let configuresAhead: [BuildStage]

    public init(variant: BuildVariant, profileFrom: StageID? = nil, profile: PipelineProfile, toolchain: Toolchain, configuresAhead: [BuildStage] = []) {
        self.variant = variant
        self.profile = profile
        self.toolchain = toolchain
        self.profileFrom = profileFrom
        self.configuresAhead = configuresAhead
    }

    /// Whether this build's configure may run before its upstream stages finish: it has one,
    /// the profile allows it, and its commands cannot see the injected flags (the only part of
    /// a build's plan that reads upstream results, e.g. the profile data path).
    public var canConfigureAhead: Bool {
        guard profile.build.configureAhead, !profile.build.configure.isEmpty, !profile.build.exportFlags else { return false }
        let flagPlaceholders = ["{cflags}", "{cxxflags}", "{ldflags}"]
        let templates = profile.build.configure.flatMap { $0 } + profile.build.env.values
        return !templates.contains { template in flagPlaceholders.contains { template.contains($0) } }
    }

    public var id: StageID { StageID(variant.rawValue) }

    /// The launcher is ccache (by file name), whose settings temper fills in.
    var usesCcache: Bool { profile.build.launcher.first.map { ($0 as NSString).lastPathComponent == "ccache" } ?? false }
    static let cacheLog = "ccache-stats.log"
    public var consumes: [StageID] { [profileFrom].compactMap { $0 } }

    /// The build tree this stage produces (relative to the work dir), which the composer hands
    /// to the stages that run or read it.
    public var tree: StageOutputPath { StageOutputPath(id, "stages/\(id.rawValue)/build") }

    func buildDirectory(_ workDir: WorkDir) -> String { tree.absolute(in: workDir) }

    /// Where this build reads its profile: a copy in its own directory under the upstream file's
    /// (content-addressed) name. The path relative to the build directory is then the same in
    /// every work dir, whichever stage made the profile (merge or a bundle's import), so a
    /// compile cache with a base directory (ccache) hits across work dirs and machines.
    func profileCopy(_ context: PlanContext) -> (source: String, path: String)? {
        guard let relative = profileFrom.flatMap({ context.upstream[$0]?.output(.profileData) }) else { return nil }
        let name = (relative as NSString).lastPathComponent
        return (context.workDir.absolute(relative), context.workDir.stageDirectory(id) + "/pgo/" + name)
    }

    func flags(_ context: PlanContext) -> InjectedFlags {
        // ccache hashes `-fprofile-use=PATH` as written (its base directory does not apply
        // there), so with ccache the path is given relative to the build directory, where the
        // compiler runs; a build system that compiles from subdirectories then fails loudly
        // ("could not read profile"), never silently.
        let profileData = profileCopy(context).map { copy in
            usesCcache ? ToolCommands.relativePath(copy.path, from: buildDirectory(context.workDir)) : copy.path
        }
        return BuildFlags.injected(
            for: variant, toolchain: toolchain, settings: profile, profileData: profileData,
            thinLTOCache: (profile.optimize.thinLTOCache ?? context.workDir.cache) + "/thinlto-\(variant.rawValue)", buildDirectory: buildDirectory(context.workDir))
    }

    /// The placeholder values and environment of this build's commands, with `{build}` being
    /// `build`: the install stage renders its commands with the optimize build's own, so that
    /// make finds nothing to redo with other flags.
    func rendering(_ context: PlanContext, build: String) -> (values: [String: String], environment: [String: String]) {
        let injected = flags(context)
        let variantFlags = variant == .instrument ? profile.instrument.cflags : []
        let cflags = profile.build.cflags + variantFlags + injected.cflags
        let cxxflags = (profile.build.cxxflags ?? profile.build.cflags) + variantFlags + injected.cflags
        let ldflags = profile.build.ldflags + injected.ldflags
        let launcher = profile.build.launcher
        let values = [
            "source": profile.source, "build": build, "cc": (launcher + [toolchain.cc.path]).joined(separator: " "),
            "cxx": (launcher + [toolchain.cxx.path]).joined(separator: " "),
            "cflags": cflags.joined(separator: " "), "cxxflags": cxxflags.joined(separator: " "),
            "ldflags": ldflags.joined(separator: " "), "ar": toolchain.ar.path, "ranlib": toolchain.ranlib.path,
            "jobs": context.jobsText,
        ]
        var environment = profile.build.env.mapValues { Placeholders.render($0, values: values) }
        if profile.build.exportFlags {
            environment.merge([
                "CC": values["cc"]!, "CXX": values["cxx"]!, "AR": toolchain.ar.path, "RANLIB": toolchain.ranlib.path,
                "CFLAGS": values["cflags"]!, "CXXFLAGS": values["cxxflags"]!, "LDFLAGS": values["ldflags"]!,
            ]) { _, injected in injected }
        }
        if usesCcache {
            // Paths under the work dir are hashed relative to the build directory, and the
            // current directory is not hashed (debug info maps it away), so two work dirs (or
            // machines) share compiles; the statistics log counts this build's hits alone.
            let defaults = [
                "CCACHE_BASEDIR": context.workDir.root, "CCACHE_NOHASHDIR": "true",
                "CCACHE_STATSLOG": context.workDir.stageDirectory(id) + "/" + Self.cacheLog,
            ]
            environment.merge(defaults) { own, _ in own }
        }
        if variant == .instrument {
            // Instrumented helpers that the build itself runs must not litter the build tree.
            environment.merge(toolchain.profileRuntime.environment(rawDirectory: context.workDir.stageDirectory(id) + "/build-time-profiles")) { _, new in new }
        }
        return (values, environment)
    }

    public func plan(_ context: PlanContext) throws -> StagePlan {
        let build = buildDirectory(context.workDir)
        let (values, environment) = rendering(context, build: build)
        func command(_ argv: [String]) -> Command {
            let words = argv.map { Placeholders.render($0, values: values) }
            return Command(executable: words[0], arguments: Array(words.dropFirst()), environment: environment, workingDirectory: build)
        }
        let steps = profile.build.configure.map { StagePlan.Step("configure", command($0)) }
            + profile.build.build.map { StagePlan.Step("build", command($0)) }
        return StagePlan(steps: steps, material: ["artifacts": profile.build.artifacts.joined(separator: "\n")])
    }

    /// The instrumented build must be instrumented and the others must not be: a build system
    /// that ignores the injected flags would otherwise give a silently useless result.
    func checkInstrumentation(of artifact: String, log: String) throws {
        guard let elf = ELFFile(path: artifact) else { return }
        let instrumented = toolchain.family == .clang ? elf.hasProfileInstrumentation : ELFFile.contains(artifact, ".gcda")
        let mark = toolchain.family == .clang ? "the __llvm_prf_cnts section" : "gcov's .gcda file names"
        if variant == .instrument, !instrumented {
            throw StageError(stage: name, message: "\(artifact) has no profile instrumentation (no \(mark)): the build did not use the injected flags. Pass {cflags} and {ldflags} (or CFLAGS/LDFLAGS from the environment) to the compiler and linker. Build log: \(log)")
        }
        if variant != .instrument, instrumented {
            throw StageError(stage: name, message: "\(artifact) still contains profile instrumentation (\(mark)): objects or flags from the instrumented build leaked into this one. Check the build for hard-coded -fprofile-generate or a shared object cache. Build log: \(log)")
        }
    }

    /// GCC reads each object's profile from `<object path>.gcda` (or `<output>-<source>.gcda`
    /// for one-step builds): the merged tree mirrors the instrumented build directory, so it
    /// is copied to the same relative paths in this build directory.
    func placeGCCProfiles(_ context: StageContext, in build: String) throws {
        guard let merge = profileFrom.flatMap({ context.plan.upstream[$0] }), let root = merge.output(.profileDirectory) else {
            throw StageError(stage: name, message: "the merge stage recorded no profile directory. Run `temper run --from merge`.")
        }
        for relative in merge.outputs.keys where relative.hasPrefix(root + "/") {
            try context.workDir.copy(context.workDir.absolute(relative), to: build + "/" + relative.dropFirst(root.count + 1))
        }
    }

    public func execute(_ context: StageContext) async throws -> StageResult {
        let plan = context.stagePlan
        let build = buildDirectory(context.workDir)
        // Later builds configure while this one runs; awaited (or cancelled) when it ends.
        async let aheadNote = ConfigureAhead(stages: configuresAhead).run(context)
        let configureSteps = plan.steps.filter { $0.label == "configure" }
        let configuredAhead = try ConfigureAhead.consume(in: build, steps: configureSteps, shared: context.plan.shared, workDir: context.workDir)
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
        if variant == .optimize, toolchain.family == .gcc {
            try placeGCCProfiles(context, in: build)
        }
        if let copy = profileCopy(context.plan) {
            try context.workDir.copy(copy.source, to: copy.path)
        }
        var buildLogStart: UInt64?
        for step in plan.steps where !(configuredAhead && step.label == "configure") {
            if step.label == "build", buildLogStart == nil {
                // Diagnostics are counted from the build proper: configure's test programs
                // (conftest.c) have no profile and would only add noise.
                buildLogStart = UInt64((try? FileManager.default.attributesOfItem(atPath: context.logPath)[.size] as? Int) ?? 0)
            }
            context.logger.debug("\(step.label): \(step.command.displayString)")
            let outcome = try await context.runner.run(step.command, logPath: context.logPath)
            guard outcome.succeeded else {
                throw StageError.toolFailed(stage: name, step: step.label, command: step.command, outcome: outcome)
            }
        }
        var outputs: [String] = []
        var named: [String: String] = [:]
        let missing = profile.build.artifacts.filter { !FileManager.default.fileExists(atPath: build + "/" + $0) }
        guard missing.isEmpty else {
            throw StageError(stage: name, message: "the build succeeded but did not produce \(missing.joined(separator: ", ")) in \(build). Check `[build] artifacts` (paths relative to the build directory). Build log: \(context.logPath)")
        }
        for artifact in profile.build.artifacts {
            try checkInstrumentation(of: build + "/" + artifact, log: context.logPath)
            outputs.append(build + "/" + artifact)
        }
        var counts: [String: Int] = [:]
        if variant == .optimize {
            let log = LogTail.text(of: context.logPath, from: buildLogStart ?? 0)
            counts = CompilerDiagnostics.count(in: log)
            let byFile = context.directory + "/profile-warnings.json"
            try JSONEncoder.temper.encode(CompilerDiagnostics.byFile(in: log)).write(to: URL(fileURLWithPath: byFile))
            outputs.append(byFile)
            named[output: .profileWarningsByFile] = context.workDir.relative(byFile)
            let mismatches = context.directory + "/profile-mismatches.json"
            try JSONEncoder.temper.encode(ProfileMismatches.parse(log)).write(to: URL(fileURLWithPath: mismatches))
            outputs.append(mismatches)
            named[output: .profileMismatches] = context.workDir.relative(mismatches)
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
        let notes = [variant == .optimize ? CompilerDiagnostics.summary(counts) : nil, cacheNote, configuredAhead ? "configured ahead" : nil, await aheadNote]
        let note = notes.compactMap { $0 }.joined(separator: "; ")
        return StageResult(outputs: outputs, counts: counts, named: named, message: note.isEmpty ? nil : note)
    }
}
