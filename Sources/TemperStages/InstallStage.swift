import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// Installs the optimized build, as a release engineer ships it: the profile's `[install] run`
/// commands (e.g. `make install DESTDIR={destdir}`) run in a copy of the optimize build tree
/// with the optimize build's own placeholders (so make finds nothing to redo with other flags),
/// into `stages/install/destdir`. Then the published artifacts (BOLTed when BOLT was kept, else
/// PGO+LTO) replace the installed ones, the profile's checks run on the installed tree, and
/// files that still name the work dir are reported. Optionally a tarball of the tree.
public struct InstallStage: Stage {
    public let id: StageID
    let profile: PipelineProfile
    let settings: InstallSettings
    /// The optimize build's recipe (its tree and its placeholders), and the stages that may
    /// have produced the published artifacts, best first; wired by the composer.
    let optimize: BuildRecipe
    let producers: [StageID]

    public init(id: StageID = .install, profile: PipelineProfile, settings: InstallSettings, optimize: BuildRecipe, producers: [StageID]) {
        self.id = id
        self.profile = profile
        self.settings = settings
        self.optimize = optimize
        self.producers = producers
    }

    public var consumes: [StageID] {
        var ids = optimize.consumes + [optimize.id]
        for producer in producers where !ids.contains(producer) { ids.append(producer) }
        return ids
    }

    /// The installed tree (`{destdir}`), for the publisher to copy to `out/install`.
    public var output: StageOutputPath { StageOutputPath(id, "stages/\(id.rawValue)/destdir") }

    func tree(_ workDir: WorkDir) -> String { workDir.stageDirectory(id) + "/tree" }
    func tarball(_ workDir: WorkDir) -> String { workDir.stageDirectory(id) + "/install.tar.gz" }
    func manifest(_ workDir: WorkDir) -> String { workDir.stageDirectory(id) + "/manifest.txt" }
    func debugTarball(_ workDir: WorkDir) -> String { workDir.stageDirectory(id) + "/install-debug.tar.gz" }
    /// Where split debug info goes, relative to `{destdir}`: where gdb and debuginfod clients look.
    static let debugDirectory = "usr/lib/debug"

    /// Each installed artifact's source: the first producer whose record names it (none while
    /// planning ahead of a run).
    func published(_ context: PlanContext) -> [String: String] {
        var sources: [String: String] = [:]
        for name in settings.artifacts.keys {
            for producer in producers {
                if let path = context.upstream[producer]?.output(.artifact(name)) {
                    sources[name] = context.workDir.absolute(path)
                    break
                }
            }
        }
        return sources
    }

    /// The install, as a value: its commands, where each published artifact comes from (read
    /// from the producers' records), and the text rewrites.
    public struct Plan: StagePlan {
        public struct Placement: Sendable, Equatable, Encodable {
            public var artifact: String
            /// Relative to `{destdir}`.
            public var relative: String
            /// The published file, nil when no producer of this run recorded it.
            public var source: String?
        }

        public struct Rewrite: Sendable, Equatable, Encodable {
            public var from: String
            public var to: String
        }

        /// `[install] split_debug`: the objcopy that moves each installed ELF file's debug info
        /// into `debugDirectory` (relative to `{destdir}`), named by build-id.
        public struct SplitDebug: Sendable, Equatable, Encodable {
            public var objcopy: String
            public var debugDirectory: String
        }

        public var copy: Command
        public var install: [Command]
        public var check: [Command]
        public var tarball: Command?
        /// With split debug info: the debug files' own tarball (the main one leaves them out).
        public var debugTarball: Command?
        public var splitDebug: SplitDebug?
        public var placements: [Placement]
        public var rewrites: [Rewrite]
        public var relocatable: Bool

        public var steps: [PlanStep] {
            [PlanStep("copy build", copy)] + install.map { PlanStep("install", $0) } + check.map { PlanStep("check", $0) }
                + [tarball.map { PlanStep("tarball", $0) }, debugTarball.map { PlanStep("debug tarball", $0) }].compactMap { $0 }
        }

        public func mapCommands(_ transform: (Command) -> Command) -> Plan {
            var plan = self
            plan.copy = transform(copy)
            plan.install = install.map(transform)
            plan.check = check.map(transform)
            plan.tarball = tarball.map(transform)
            plan.debugTarball = debugTarball.map(transform)
            return plan
        }
    }

    public func plan(_ context: PlanContext) throws -> Plan {
        let workDir = context.workDir
        let tree = tree(workDir)
        let destdir = output.absolute(in: workDir)
        var (values, environment) = optimize.rendering(context, build: tree)
        values["destdir"] = destdir
        environment = environment.mapValues { Placeholders.render($0, values: values) }
        func command(_ argv: [String], in directory: String) -> Command {
            let words = argv.map { Placeholders.render($0, values: values) }
            return Command(executable: words[0], arguments: Array(words.dropFirst()), environment: environment, workingDirectory: directory)
        }
        // cp -a keeps the timestamps, so make sees an up-to-date build; a copy, not hard links,
        // because an install may rewrite build files in place.
        let copy = Command(
            executable: "cp", arguments: ["-a", optimize.buildDirectory(workDir) + "/.", tree], workingDirectory: workDir.stageDirectory(id))
        let tar = ["tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner"]
        let split = settings.splitDebug
        let tarball = settings.tarball ? Command(
            executable: tar[0], arguments: Array(tar.dropFirst()) + (split ? ["--exclude=./\(Self.debugDirectory)"] : []) + ["-czf", tarball(workDir), "-C", destdir, "."],
            workingDirectory: workDir.stageDirectory(id)) : nil
        let debugTarball = settings.tarball && split ? Command(
            executable: tar[0], arguments: Array(tar.dropFirst()) + ["-czf", debugTarball(workDir), "-C", destdir, "./" + Self.debugDirectory],
            workingDirectory: workDir.stageDirectory(id)) : nil
        // The toolchain's own llvm-objcopy with clang (it reads what that toolchain writes); binutils' with GCC.
        let objcopy = optimize.toolchain.family == .clang ? optimize.toolchain.directory + "/llvm-objcopy" : "objcopy"
        let sources = published(context)
        return Plan(
            copy: copy, install: settings.run.map { command($0, in: tree) }, check: settings.check.map { command($0, in: destdir) }, tarball: tarball,
            debugTarball: debugTarball, splitDebug: split ? Plan.SplitDebug(objcopy: objcopy, debugDirectory: Self.debugDirectory) : nil,
            placements: settings.artifacts.keys.sorted().map { Plan.Placement(artifact: $0, relative: settings.artifacts[$0]!, source: sources[$0]) },
            rewrites: rewrites(context).map { Plan.Rewrite(from: $0.from, to: $0.to) }, relocatable: settings.relocatable)
    }

    /// This run's rewrites: the optimize build's own flag values and directories.
    func rewrites(_ context: PlanContext) -> [(from: String, to: String)] {
        let values = optimize.rendering(context, build: tree(context.workDir)).values
        // A compiler launcher (ccache) is a build-machine choice: installed files name the compiler alone.
        let launcher = optimize.profile.build.launcher.isEmpty ? [] : [
            (values["cc"]!, optimize.toolchain.cc.path), (values["cxx"]!, optimize.toolchain.cxx.path),
        ].sorted { $0.0.count > $1.0.count }
        return Self.rewrites(
            values: values, injected: optimize.flags(context),
            buildDirectories: [optimize.buildDirectory(context.workDir), tree(context.workDir)], workDir: context.workDir) + launcher
    }

    /// What temper removes from the installed text files: the flags it gave the build (build
    /// systems record them, e.g. CPython's sysconfig keeps make's command-line `*_NODIST`
    /// flags), then any of its flags that name the work dir, then the build directories, which
    /// become `.` as in the debug info (`-fdebug-prefix-map`). Longest first, so that a string
    /// that contains another goes before it.
    static func rewrites(values: [String: String], injected: InjectedFlags, buildDirectories: [String], workDir: WorkDir) -> [(from: String, to: String)] {
        var removed = Set(["cflags", "cxxflags", "ldflags"].compactMap { values[$0] }.filter { !$0.isEmpty })
        removed.formUnion((injected.cflags + injected.ldflags).filter { $0.contains(workDir.root) })
        let ordered = removed.sorted { ($0.count, $0) > ($1.count, $1) }
        return ordered.flatMap { [(" " + $0, ""), ($0, "")] }
            + buildDirectories.sorted { $0.count > $1.count }.map { ($0, ".") }
    }

    /// Applies the rewrites to the regular text files under `root` (no NUL byte, valid UTF-8,
    /// under 64 MB), in place with their modes and modification times kept (so that make finds
    /// nothing newer to redo); returns the files changed. Binary files are left alone: rewriting
    /// them would break them (the stage counts those that still name the work dir).
    static func rewrite(_ rewrites: [(from: String, to: String)], under root: String, workDir: WorkDir) throws -> [String] {
        guard !rewrites.isEmpty else { return [] }
        var changed: [String] = []
        for path in files(under: root) where workDir.contains(path) {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let size = attributes[.size] as? Int, size > 0, size < 64 << 20,
                let handle = FileHandle(forReadingAtPath: path)
            else { continue }
            // Most files of a build tree are objects: the first block tells.
            let head = (try? handle.read(upToCount: 8192)) ?? Data()
            guard !head.contains(0), let rest = try? handle.readToEnd() ?? Data() else { try? handle.close(); continue }
            try? handle.close()
            let data = head + rest
            guard !data.contains(0), let text = String(data: data, encoding: .utf8) else { continue }
            var result = text
            for rewrite in rewrites where result.contains(rewrite.from) {
                result = result.replacingOccurrences(of: rewrite.from, with: rewrite.to)
            }
            guard result != text else { continue }
            guard let writer = FileHandle(forWritingAtPath: path) else {
                throw StageError(stage: "install", message: "cannot rewrite \(path) to take temper's flags and build paths out of it: it is not writable. Make the install leave its files writable by the owner (e.g. `install -m 644`).")
            }
            try writer.truncate(atOffset: 0)
            try writer.write(contentsOf: Data(result.utf8))
            try writer.close()
            if let modified = attributes[.modificationDate] as? Date {
                try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
            }
            changed.append(path)
        }
        return changed
    }

    public func execute(_ plan: Plan, _ context: StageContext) async throws -> StageResult {
        let workDir = context.workDir
        let destdir = output.absolute(in: workDir)
        try workDir.freshDirectory(context.directory)
        try workDir.makeDirectory(tree(workDir))
        try workDir.makeDirectory(destdir)
        try workDir.remove(context.logPath)
        func run(_ label: String, _ command: Command) async throws {
            let outcome = try await context.runner.run(command, logPath: context.logPath)
            guard outcome.succeeded else {
                throw StageError.toolFailed(stage: name, step: label, command: command, outcome: outcome)
            }
        }
        // Temper's flags and build paths out of the text (sysconfig, Makefiles, *-config): first
        // in the copy of the build tree, so that what the install derives from those files
        // (CPython's byte-compiled _sysconfigdata) is clean too, then in the installed tree.
        let rewrites = plan.rewrites.map { (from: $0.from, to: $0.to) }
        try await run("copy build", plan.copy)
        let rewrittenInBuild = try Self.rewrite(rewrites, under: tree(workDir), workDir: workDir)
        for command in plan.install { try await run("install", command) }
        let rewritten = try Self.rewrite(rewrites, under: destdir, workDir: workDir)

        // The published artifacts replace what the install put there.
        var placed: [String] = []
        for placement in plan.placements {
            let (artifact, relative) = (placement.artifact, placement.relative)
            let target = destdir + "/" + relative
            guard FileManager.default.fileExists(atPath: target) else {
                throw StageError(stage: name, message: "the install did not create \(relative) under {destdir} (\(destdir)); check `[install] artifacts.\(artifact)`. Log: \(context.logPath)")
            }
            guard let source = placement.source else {
                throw StageError(stage: name, message: "no stage of this run published \(artifact); run the whole pipeline first.")
            }
            let mode = (try? FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int) ?? 0o755
            try workDir.copy(source, to: target)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
            placed.append("\(relative) from \(workDir.relative(source))")
        }
        // What ships without its debug info, the debug info beside it; the checks then run what ships.
        var split: (files: Int, debugBytes: Int)?
        if let splitDebug = plan.splitDebug {
            split = try await Self.splitDebugInfo(splitDebug, destdir: destdir, context: context, run: run)
        }
        for command in plan.check { try await run("check", command) }

        // What the installed tree still says about where it was built.
        let files = Self.files(under: destdir)
        let needle = Data(workDir.root.utf8)
        let naming = files.filter { FileManager.default.contents(atPath: $0)?.range(of: needle) != nil }
        if !naming.isEmpty {
            let examples = naming.prefix(5).map { workDir.relative($0) }.joined(separator: ", ")
            guard !plan.relocatable else {
                throw StageError(stage: name, message: "\(naming.count) installed file(s) still name the work dir \(workDir.root): \(examples)\(naming.count > 5 ? ", ..." : ""). `[install] relocatable = true` refuses such a tree; find where the build records its paths (`grep -rl \(workDir.root) \(destdir)`).")
            }
            context.logger.warning("\(naming.count) installed file(s) name the work dir \(workDir.root), e.g. \(examples); the tree may not be relocatable.")
        }
        let listing = files.map { "\(FileDigest.sha256(of: $0) ?? "-")  \($0.dropFirst(destdir.count + 1))" }.joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(listing.utf8), to: manifest(workDir), durable: false)
        var outputs = [manifest(workDir)]
        var named: [String: String] = [:]
        named[output: .installTree] = workDir.relative(destdir)
        named[output: .installManifest] = workDir.relative(manifest(workDir))
        if let archive = plan.tarball {
            try await run("tarball", archive)
            outputs.append(tarball(workDir))
            named[output: .installTarball] = workDir.relative(tarball(workDir))
        }
        if let archive = plan.debugTarball {
            try await run("debug tarball", archive)
            outputs.append(debugTarball(workDir))
            named[output: .installDebugTarball] = workDir.relative(debugTarball(workDir))
        }
        let debugRoot = destdir + "/" + Self.debugDirectory + "/"
        let shippedBytes = files.filter { !$0.hasPrefix(debugRoot) }.map(Self.size).reduce(0, +)
        var counts = [
            "files": files.count, "files_naming_workdir": naming.count, "files_rewritten": rewritten.count, "build_files_rewritten": rewrittenInBuild.count,
            "artifacts_placed": placed.count, "shipped_bytes": shippedBytes,
        ]
        if let split {
            counts["debug_files"] = split.files
            counts["debug_bytes"] = split.debugBytes
        }
        // The copy of the build tree is only scaffolding for the install.
        try workDir.remove(tree(workDir))
        return StageResult(
            outputs: outputs, counts: counts,
            named: named,
            message: "\(files.count) files installed" + (placed.isEmpty ? "" : ", \(placed.count) published artifact(s) placed")
                + (split.map { String(format: ", debug info of %d file(s) split out: %.1f MB shipped, %.1f MB debug", $0.files, Double(shippedBytes) / 1e6, Double($0.debugBytes) / 1e6) } ?? "")
                + (rewritten.isEmpty ? "" : ", temper's flags and build paths removed from \(rewritten.count)")
                + (naming.isEmpty ? "" : ", \(naming.count) name the work dir"))
    }

    /// Moves the debug info of every installed executable and shared object out, as
    /// distributions do: `objcopy --only-keep-debug` into `usr/lib/debug/.build-id/xx/rest.debug`
    /// (by path when the file has no build-id), then `--strip-debug --add-gnu-debuglink` in
    /// place, the file's mode kept. Returns how many files and how many debug bytes.
    static func splitDebugInfo(
        _ split: Plan.SplitDebug, destdir: String, context: StageContext, run: (String, Command) async throws -> Void
    ) async throws -> (files: Int, debugBytes: Int) {
        let workDir = context.workDir
        let debugRoot = destdir + "/" + split.debugDirectory
        // Made even when nothing has debug info: the debug tarball is then empty, not missing.
        try workDir.makeDirectory(debugRoot)
        var count = 0
        var bytes = 0
        for file in files(under: destdir) where !file.hasPrefix(debugRoot + "/") {
            // Executables and shared objects (ET_EXEC, ET_DYN) with DWARF; objects and archives stay.
            guard let elf = ELFFile(path: file), elf.type == 2 || elf.type == 3, elf.hasDebugInfo else { continue }
            let relative = String(file.dropFirst(destdir.count + 1))
            let debugFile = debugRoot + "/" + (elf.buildIDHex.flatMap { id in id.count > 2 ? ".build-id/\(id.prefix(2))/\(id.dropFirst(2)).debug" : nil } ?? relative + ".debug")
            try workDir.makeDirectory((debugFile as NSString).deletingLastPathComponent)
            let directory = (file as NSString).deletingLastPathComponent
            try await run("split debug", Command(executable: split.objcopy, arguments: ["--only-keep-debug", file, debugFile], workingDirectory: directory))
            let stripped = file + ".temper-stripped"
            try workDir.remove(stripped)
            try await run(
                "split debug", Command(executable: split.objcopy, arguments: ["--strip-debug", "--add-gnu-debuglink=" + debugFile, file, stripped], workingDirectory: directory))
            let mode = (try? FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) ?? 0o755
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: stripped)
            guard rename(stripped, file) == 0 else {
                throw StageError(stage: "install", message: "cannot replace \(file) with its stripped copy: \(String(cString: strerror(errno))).")
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: debugFile)
            count += 1
            bytes += size(debugFile)
        }
        return (count, bytes)
    }

    static func size(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }

    /// Regular files under a directory (symlinks are not followed), sorted.
    static func files(under root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let path = root + "/" + relative
            if (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular { files.append(path) }
        }
        return files.sorted()
    }
}
