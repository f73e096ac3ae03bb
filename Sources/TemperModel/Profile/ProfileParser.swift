import Foundation
import TOMLKit

/// Reads a pipeline profile strictly: unknown keys, wrong types and bad placeholders are errors
/// with the file, a line where one can be found, the key path, and what was expected.
public enum ProfileParser {
    /// Bounds on what a profile may ask for: beyond them a value is a typo, not a plan.
    public static let maxJobs = 256
    public static let maxTimeout = 7 * 24 * 3600.0
    public static let maxTimingRuns = 1000
    public static let maxCandidates = 16
    static let maxProfileBytes = 1 << 20

    public static func load(path: String) throws -> PipelineProfile {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        return try parse(try text(of: url.path, shownAs: path), file: url.path, checkingSource: true)
    }

    /// The profile's text, with a message that names the problem when it cannot be had.
    static func text(of path: String, shownAs shown: String) throws -> String {
        let manager = FileManager.default
        guard let attributes = try? manager.attributesOfItem(atPath: path) else {
            throw ProfileError.unreadable(file: shown, reason: "no such file.")
        }
        if attributes[.type] as? FileAttributeType == .typeDirectory {
            throw ProfileError.unreadable(file: shown, reason: "it is a directory; give the profile's .toml file, e.g. Profiles/demo.toml.")
        }
        if let size = attributes[.size] as? Int, size > maxProfileBytes {
            throw ProfileError.unreadable(file: shown, reason: "it is \(size) bytes; a pipeline profile is a small TOML file (at most \(maxProfileBytes) bytes).")
        }
        guard let data = manager.contents(atPath: path) else {
            throw ProfileError.unreadable(file: shown, reason: "permission denied, or not a regular file.")
        }
        let bytes = [UInt8](data.prefix(4))
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) || (bytes.count >= 2 && (bytes[0] == 0 || bytes[1] == 0)) {
            throw ProfileError.unreadable(file: shown, reason: "it is UTF-16 (or UTF-32) text; TOML files are UTF-8. Convert it, e.g. `iconv -f UTF-16 -t UTF-8`.")
        }
        guard var text = String(validating: data, as: UTF8.self) else {
            let offset = Self.firstInvalidUTF8(data) ?? 0
            throw ProfileError.unreadable(file: shown, reason: "it is not valid UTF-8 (first bad byte at offset \(offset)); TOML files are UTF-8.")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        if text.contains("\0") {
            throw ProfileError.unreadable(file: shown, reason: "it contains NUL bytes; it is not a text file.")
        }
        return text
    }

    /// The byte offset of the first invalid UTF-8 sequence, in one pass.
    static func firstInvalidUTF8(_ data: Data) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var bytes = data.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &bytes) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// A name that becomes a directory: letters, digits, '-', '_', '.', not only dots (`.`
    /// and `..` would escape it), at most 100 characters.
    /// What temper itself keeps in `out/`: an artifact may not be published under these names.
    static let outNames: Set<String> = ["baseline", "install", "install.tar.gz", "install-debug.tar.gz", ".install-manifest"]

    public static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 100 && !name.allSatisfy { $0 == "." }
            && name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "-_.".contains($0) }
    }

    /// `checkingSource`: also refuse a source path that is missing or not a directory (a
    /// profile loaded to be planned or run; tests parse text about imaginary trees).
    public static func parse(_ text: String, file: String, checkingSource: Bool = false) throws -> PipelineProfile {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ProfileError.syntax(
                file: file, line: error.source.begin.line, column: error.source.begin.column,
                message: error.description)
        }
        let locator = KeyLocator(text: text)
        // The TOML reader cuts strings at an escaped NUL without a word; refuse it here.
        if let line = locator.lines.firstIndex(where: { $0.contains("\\u0000") || $0.contains("\\U00000000") }) {
            throw ProfileError.invalidValue(
                file: file, keyPath: "(line \(line + 1))", line: line + 1,
                message: "contains a NUL character (\\u0000), which no command, variable or path can hold.")
        }
        let top = TableReader(table: root, path: "", file: file, locator: locator)
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent()

        let version = try top.int("version", required: true)!
        guard version == PipelineProfile.formatVersion else {
            throw ProfileError.invalidValue(
                file: file, keyPath: "version", line: locator.line(of: "version"),
                message: "format version \(version) is not supported; this temper reads version \(PipelineProfile.formatVersion).")
        }
        let name = try top.string("name", required: true)!
        guard isSafeName(name) else {
            throw ProfileError.invalidValue(
                file: file, keyPath: "name", line: locator.line(of: "name"),
                message: "\"\(name)\" cannot name a work dir: use 1 to 100 ASCII letters, digits, '-', '_' or '.', and not only dots.")
        }

        let sourceTable = try top.table("source", required: true)!
        let sourcePath = try sourceTable.string("path", required: true)!
        let sourceExclude = try sourceTable.stringArray("exclude") ?? []
        try sourceTable.finish()
        let source = resolve(sourcePath, against: directory)
        var isDirectory: ObjCBool = false
        if sourcePath.isEmpty || (checkingSource && (!FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) || !isDirectory.boolValue)) {
            let what = sourcePath.isEmpty ? "is empty (the source path)" : FileManager.default.fileExists(atPath: source) ? "is a file, not a directory" : "does not exist"
            throw ProfileError.invalidValue(
                file: file, keyPath: "source.path", line: locator.line(of: "source.path"),
                message: "\(source) \(what). Give the project's source tree (relative paths are relative to the profile's directory); for the shipped profiles, fetch it first (Scripts/fetch-source.sh).")
        }

        var toolchain = ToolchainSettings()
        if let table = try top.table("toolchain") {
            toolchain.compiler = try table.enumeration("compiler", CompilerFamily.self) ?? .clang
            toolchain.llvmBin = try table.string("llvm_bin").map { resolve($0, against: directory) }
            try table.finish()
        }

        let buildTable = try top.table("build", required: true)!
        var build = BuildSettings()
        let system = try buildTable.enumeration("system", BuildSystem.self)
        let configureCommands = try buildTable.commands("configure")
        let buildCommands = try buildTable.commands("build")
        let options = try buildTable.stringArray("options")
        let targets = try buildTable.stringArray("targets")
        for (key, words) in [("build.options", options), ("build.targets", targets)] where words?.contains(where: \.isEmpty) == true {
            throw ProfileError.invalidValue(file: file, keyPath: key, line: locator.line(of: key), message: "holds an empty word; give each argument (or target) as a non-empty string, or leave the key out.")
        }
        if let system {
            if let explicit = configureCommands != nil ? "build.configure" : buildCommands != nil ? "build.build" : nil {
                throw ProfileError.invalidValue(
                    file: file, keyPath: explicit, line: locator.line(of: explicit),
                    message: "`[build] system = \"\(system.rawValue)\"` writes the configure and build commands itself; give either the system (with `options` and `targets` for the project's own) or explicit `configure`/`build` commands, not both.")
            }
            build.system = system
            build.configure = system.configure(options: options ?? [])
            build.build = system.build(targets: targets ?? [])
        } else {
            if let key = options != nil ? "build.options" : targets != nil ? "build.targets" : nil {
                throw ProfileError.invalidValue(
                    file: file, keyPath: key, line: locator.line(of: key),
                    message: "goes with `[build] system` (cmake, meson, autotools or make); with explicit commands, put the arguments in `configure` or `build` yourself.")
            }
            guard let buildCommands, !buildCommands.isEmpty else {
                throw ProfileError.missingKey(file: file, keyPath: "build.build", expected: "an argv array, e.g. [\"make\", \"-j{jobs}\"], or `system = \"cmake\"` (or meson, autotools, make)")
            }
            build.configure = configureCommands ?? []
            build.build = buildCommands
        }
        build.artifacts = try buildTable.stringArray("artifacts", required: true)!
        if let bad = build.artifacts.first(where: { !isSafeRelativePath($0) }) {
            throw ProfileError.invalidValue(file: file, keyPath: "build.artifacts", line: locator.line(of: "build.artifacts"), message: "\"\(bad)\" must be a file path relative to the build directory, without `..` or a leading `/`.")
        }
        build.env = (system?.environment ?? [:]).merging(try buildTable.stringMap("env") ?? [:]) { _, own in own }
        build.cflags = try buildTable.stringArray("cflags") ?? system?.defaultCFlags ?? build.cflags
        build.cxxflags = try buildTable.stringArray("cxxflags")
        build.ldflags = try buildTable.stringArray("ldflags") ?? []
        // A preset puts the flags where its build system takes them; exported CFLAGS would also
        // reach configure's probes (and CMake's and Meson's checks).
        build.exportFlags = try buildTable.bool("export_flags") ?? (system == nil)
        build.configureAhead = try buildTable.bool("configure_ahead") ?? true
        build.launcher = try buildTable.stringArray("launcher") ?? []
        if build.launcher.contains(where: { $0.isEmpty }) {
            throw ProfileError.invalidValue(file: file, keyPath: "build.launcher", line: locator.line(of: "build.launcher"), message: "holds an empty word; give the launcher's argv, e.g. [\"ccache\"].")
        }
        try buildTable.finish()
        if build.artifacts.isEmpty {
            throw ProfileError.invalidValue(file: file, keyPath: "build.artifacts", line: locator.line(of: "build.artifacts"), message: "list at least one artifact (a path relative to the build directory).")
        }
        let names = build.artifactNames
        if let dup = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ProfileError.invalidValue(file: file, keyPath: "build.artifacts", line: locator.line(of: "build.artifacts"), message: "two artifacts share the file name `\(dup)`; `{artifact:NAME}` must name one.")
        }
        // Artifacts are published as out/NAME, beside what temper itself puts there.
        if let clash = names.first(where: { name in outNames.contains { $0.lowercased() == name.lowercased() } }) {
            throw ProfileError.invalidValue(file: file, keyPath: "build.artifacts", line: locator.line(of: "build.artifacts"), message: "an artifact named `\(clash)` would be published as out/\(clash), where temper keeps its own \(outNames.sorted().joined(separator: ", ")). Build it under another name, or give its path through a directory temper does not publish.")
        }
        let artifactSet = Set(names)

        var instrument = InstrumentSettings()
        if let table = try top.table("instrument") {
            instrument.lto = try table.enumeration("lto", LTOMode.self) ?? .none
            instrument.cflags = try table.stringArray("cflags") ?? []
            try table.finish()
        }

        let train = try training(try top.table("train"), keyPath: "train", artifacts: artifactSet, file: file)
        if train.tasks.isEmpty {
            throw ProfileError.missingKey(file: file, keyPath: "train.task", expected: "at least one [[train.task]] with `name` and `run`")
        }

        var optimize = OptimizeSettings()
        if let table = try top.table("optimize") {
            optimize.pgo = try table.enumeration("pgo", PGOMode.self) ?? .ir
            optimize.lto = try table.enumeration("lto", LTOMode.self) ?? .thin
            optimize.missingProfile = try table.enumeration("missing_profile", MissingProfilePolicy.self) ?? .warn
            if let cache = try table.string("thinlto_cache") {
                guard !cache.isEmpty else {
                    throw ProfileError.invalidValue(file: file, keyPath: "optimize.thinlto_cache", line: locator.line(of: "optimize.thinlto_cache"), message: "is empty; give a directory (e.g. on a shared file system) or leave the key out.")
                }
                optimize.thinLTOCache = resolve(cache, against: directory)
            }
            try table.finish()
        }

        var bench: BenchSettings?
        if let table = try top.table("bench") {
            var settings = BenchSettings(run: try table.stringArray("run", required: true)!)
            try checkProgram(settings.run, keyPath: "bench.run", file: file, locator: locator)
            settings.cwd = try table.string("cwd")
            settings.env = try table.stringMap("env") ?? [:]
            try table.finish()
            try check(settings.run + [settings.cwd].compactMap { $0 } + Array(settings.env.values), keyPath: "bench", allowed: Placeholders.benchNames.union(["artifact"]), artifacts: artifactSet, file: file)
            bench = settings
        }

        var baseline = BaselineSettings()
        if let table = try top.table("baseline") {
            baseline.enabled = try table.bool("enabled") ?? false
            try table.finish()
        }

        var bolt = BoltSettings()
        if let table = try top.table("bolt") {
            bolt.enabled = try table.bool("enabled") ?? false
            bolt.mode = try table.enumeration("mode", BoltMode.self) ?? .instrument
            bolt.artifacts = try table.stringArray("artifacts")
            if bolt.artifacts?.isEmpty == true {
                throw ProfileError.invalidValue(
                    file: file, keyPath: "bolt.artifacts", line: locator.line(of: "bolt.artifacts"),
                    message: "is empty, so BOLT would have nothing to work on. Name the artifacts to BOLT, leave the key out (every executable), or set enabled = false.")
            }
            bolt.flags = try table.stringArray("flags")
            bolt.extraFlags = try table.stringArray("extra_flags") ?? []
            bolt.acceptNonPIE = try table.bool("accept_non_pie") ?? false
            bolt.pie = try table.bool("pie") ?? !bolt.acceptNonPIE
            if !bolt.pie, !bolt.acceptNonPIE {
                throw ProfileError.invalidValue(
                    file: file, keyPath: "bolt.pie", line: locator.line(of: "bolt.pie"),
                    message: "pie = false builds BOLT's input without PIE, so a BOLTed artifact would be less hardened than the plain build (no ASLR for the executable). Add accept_non_pie = true to [bolt] to accept that (the report then says so), or drop pie = false.")
            }
            bolt.compare = try table.enumeration("compare", VerifyComparison.self) ?? .output
            bolt.timingRuns = try table.int("timing_runs", in: 1...maxTimingRuns, why: "the older name of selection_runs") ?? bolt.timingRuns
            bolt.selectionRuns = try table.int("selection_runs", in: 1...maxTimingRuns, why: "measured rounds of the BOLT candidates")
            bolt.select = try table.enumeration("select", BoltSelect.self, excluding: [.pinned]) ?? .fastest
            bolt.selectionInstructions = try table.bool("instructions") ?? true
            bolt.instructionsWorkload = try table.enumeration("instructions_workload", SelectionWorkload.self) ?? .verify
            bolt.dispatchCandidate = try table.bool("dispatch_candidate") ?? true
            if let candidates = try table.table("candidates") {
                for name in candidates.table.keys.sorted() {
                    let keyPath = "bolt.candidates.\(name)"
                    guard isSafeName(name), !BoltFlagSet.isReserved(name) else {
                        throw ProfileError.invalidValue(
                            file: file, keyPath: keyPath, line: locator.line(of: keyPath),
                            message: "\"\(name)\" cannot name a candidate: use 1 to 100 ASCII letters, digits, '-', '_' or '.', not only dots, and not \(BoltFlagSet.reservedNames.sorted().joined(separator: " or ")) (temper's own).")
                    }
                    let flags = try candidates.stringArray(name, required: true)!
                    bolt.candidates.append(BoltFlagSet(name: name, flags: flags))
                }
                try candidates.finish()
                if bolt.candidates.count > maxCandidates {
                    throw ProfileError.invalidValue(file: file, keyPath: "bolt.candidates", line: locator.line(of: "bolt.candidates"), message: "\(bolt.candidates.count) candidates; at most \(maxCandidates) (each is built, verified and measured).")
                }
            }
            if let trainTable = try table.table("train") {
                bolt.train = try training(trainTable, keyPath: "bolt.train", artifacts: artifactSet, file: file)
                if bolt.train?.tasks.isEmpty == true {
                    throw ProfileError.missingKey(file: file, keyPath: "bolt.train.task", expected: "at least one [[bolt.train.task]], or no [bolt.train] table to reuse the train tasks")
                }
            }
            try table.finish()
            if let unknown = bolt.artifacts?.first(where: { !artifactSet.contains($0) }) {
                throw ProfileError.invalidValue(file: file, keyPath: "bolt.artifacts", line: locator.line(of: "bolt.artifacts"), message: "`\(unknown)` is not the file name of any [build] artifact (\(artifactSet.sorted().joined(separator: ", "))).")
            }
        }
        var install: InstallSettings?
        if let table = try top.table("install") {
            var settings = InstallSettings()
            guard let run = try table.commands("run"), !run.isEmpty else {
                throw ProfileError.missingKey(file: file, keyPath: "install.run", expected: "an argv array, e.g. [\"make\", \"install\", \"DESTDIR={destdir}\"]")
            }
            settings.run = run
            settings.artifacts = try table.stringMap("artifacts") ?? [:]
            settings.check = try table.commands("check") ?? []
            settings.tarball = try table.bool("tarball") ?? false
            settings.relocatable = try table.bool("relocatable") ?? false
            settings.splitDebug = try table.bool("split_debug") ?? false
            try table.finish()
            for (name, path) in settings.artifacts.sorted(by: { $0.key < $1.key }) {
                guard artifactSet.contains(name) else {
                    throw ProfileError.invalidValue(file: file, keyPath: "install.artifacts.\(name)", line: locator.line(of: "install.artifacts"), message: "`\(name)` is not the file name of any [build] artifact (\(artifactSet.sorted().joined(separator: ", "))).")
                }
                guard isSafeRelativePath(path) else {
                    throw ProfileError.invalidValue(file: file, keyPath: "install.artifacts.\(name)", line: locator.line(of: "install.artifacts"), message: "\"\(path)\" must be a path relative to {destdir}, without `..` or a leading `/`.")
                }
            }
            try check(settings.run.flatMap { $0 } + settings.check.flatMap { $0 }, keyPath: "install", allowed: Placeholders.installNames, artifacts: artifactSet, file: file)
            install = settings
        }
        var verify: TrainTask?
        if let table = try top.table("verify") {
            var task = TrainTask(name: "verify", run: try table.stringArray("run", required: true)!)
            try checkProgram(task.run, keyPath: "verify.run", file: file, locator: locator)
            task.cwd = try table.string("cwd")
            task.env = try table.stringMap("env") ?? [:]
            task.timeout = try table.seconds("timeout")
            try table.finish()
            try check(task.run + [task.cwd].compactMap { $0 } + Array(task.env.values), keyPath: "verify", allowed: Placeholders.taskNames.union(["artifact"]), artifacts: artifactSet, file: file)
            verify = task
        }
        var bundle: String?
        var decisionFile: String?
        if let table = try top.table("profile") {
            if let path = try table.string("bundle") {
                guard !path.isEmpty else {
                    throw ProfileError.invalidValue(file: file, keyPath: "profile.bundle", line: locator.line(of: "profile.bundle"), message: "is empty; give the path of a bundle made by `temper bundle export`.")
                }
                bundle = resolve(path, against: directory)
            }
            if let path = try table.string("decision") {
                guard !path.isEmpty else {
                    throw ProfileError.invalidValue(file: file, keyPath: "profile.decision", line: locator.line(of: "profile.decision"), message: "is empty; give the path of a decision file made by `temper tune`.")
                }
                decisionFile = resolve(path, against: directory)
            }
            try table.finish()
        }
        let tune = try tuneSettings(try top.table("tune"), boltCandidates: bolt.candidates.map(\.name), artifacts: artifactSet, file: file, locator: locator)
        try top.finish()

        for (key, words) in [("build.configure", build.configure.flatMap { $0 }), ("build.build", build.build.flatMap { $0 }), ("build.env", Array(build.env.values))] {
            try check(words, keyPath: key, allowed: Placeholders.buildNames, artifacts: artifactSet, file: file)
        }
        var profile = PipelineProfile(
            name: name, file: file, source: source, toolchain: toolchain, build: build,
            instrument: instrument, train: train, optimize: optimize, bench: bench, baseline: baseline)
        profile.bolt = bolt
        profile.verify = verify
        profile.install = install
        profile.sourceExclude = sourceExclude
        profile.bundle = bundle
        profile.tune = tune
        profile.decision = decisionFile
        return profile
    }

    /// The longest a tune may measure.
    public static let maxBudget = 7 * 24 * 3600.0

    /// A duration: seconds as a number, or a string such as "90s", "20m", "2h".
    public static func duration(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        var number = Substring(text.trimmingCharacters(in: .whitespaces))
        var scale = 1.0
        if let last = number.last, let unit = units[last] {
            scale = unit
            number = number.dropLast()
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(number) else { return nil }
        let seconds = value * scale
        guard seconds.isFinite, seconds > 0, seconds <= maxBudget else { return nil }
        return seconds
    }

    /// `[tune]`: named variants (`[[tune.variant]]`) and axes (`[tune.axes]`, multiplied out).
    static func tuneSettings(_ table: TableReader?, boltCandidates: [String], artifacts: Set<String>, file: String, locator: KeyLocator) throws -> TuneSettings? {
        guard let table else { return nil }
        var settings = TuneSettings()
        settings.reference = try table.string("reference")
        if let budget = try table.string("budget") {
            guard let seconds = duration(budget) else {
                throw ProfileError.invalidValue(file: file, keyPath: "tune.budget", line: locator.line(of: "tune.budget"), message: "\"\(budget)\" is not a duration between 1 s and 7 days; write e.g. \"90s\", \"20m\" or \"2h\".")
            }
            settings.budget = seconds
        }
        settings.countersWorkload = try table.enumeration("counters_workload", SelectionWorkload.self) ?? .verify
        settings.acceptNonPIE = try table.bool("accept_non_pie") ?? false
        for (index, workloadTable) in try table.tableArray("workload").enumerated() {
            let keyPath = "tune.workload[\(index)]"
            var task = TrainTask(name: try workloadTable.string("name", required: true)!, run: try workloadTable.stringArray("run", required: true)!)
            task.cwd = try workloadTable.string("cwd")
            task.env = try workloadTable.stringMap("env") ?? [:]
            try workloadTable.finish()
            try checkProgram(task.run, keyPath: keyPath + ".run", file: file, locator: locator)
            guard isSafeName(task.name), task.name != "aa", !settings.workloads.contains(where: { $0.name == task.name }) else {
                throw ProfileError.invalidValue(file: file, keyPath: keyPath + ".name", line: locator.line(of: keyPath + ".name"), message: "\"\(task.name)\" cannot name a workload: use 1 to 100 ASCII letters, digits, '-', '_' or '.', not only dots, not `aa`, and once.")
            }
            try check(task.run + [task.cwd].compactMap { $0 } + Array(task.env.values), keyPath: keyPath, allowed: Placeholders.benchNames.union(["artifact"]), artifacts: artifacts, file: file)
            settings.workloads.append(task)
        }
        if settings.workloads.count > 16 {
            throw ProfileError.invalidValue(file: file, keyPath: "tune.workload", line: locator.line(of: "tune.workload"), message: "\(settings.workloads.count) workloads; at most 16.")
        }
        let boltSets = Set(TuneOverrides.knownBoltSets + boltCandidates)
        func overrides(_ reader: TableReader, keyPath: String) throws -> TuneOverrides {
            var result = TuneOverrides()
            if let bolt = try reader.string("bolt"), bolt != "off" {
                guard boltSets.contains(bolt) else {
                    throw ProfileError.invalidValue(file: file, keyPath: keyPath + ".bolt", line: locator.line(of: keyPath + ".bolt"), message: "\"\(bolt)\" is no BOLT flag set; use off, \(boltSets.sorted().joined(separator: ", ")).")
                }
                result.bolt = bolt
            }
            result.pie = try reader.bool("pie")
            result.pgo = try reader.enumeration("pgo", PGOMode.self)
            result.lto = try reader.enumeration("lto", LTOMode.self)
            result.cflags = try reader.stringArray("cflags")
            result.compiler = try reader.enumeration("compiler", CompilerFamily.self)
            return result
        }
        for (index, variantTable) in try table.tableArray("variant").enumerated() {
            let keyPath = "tune.variant[\(index)]"
            let name = try variantTable.string("name", required: true)!
            let variant = TuneVariant(name: name, overrides: try overrides(variantTable, keyPath: keyPath))
            try variantTable.finish()
            settings.variants.append(variant)
        }
        if let axes = try table.table("axes") {
            // Each axis is a list of values; the product of the axes gives one variant each.
            var product: [(name: [String], overrides: TuneOverrides)] = [([], TuneOverrides())]
            func axis<T>(_ key: String, _ values: [T]?, _ describe: (T) -> String, _ apply: (inout TuneOverrides, T) -> Void) {
                guard let values, !values.isEmpty else { return }
                product = product.flatMap { row in
                    values.map { value in
                        var overrides = row.overrides
                        apply(&overrides, value)
                        return (row.name + ["\(key)-\(describe(value))"], overrides)
                    }
                }
            }
            let bolt = try axes.stringArray("bolt")
            for value in bolt ?? [] where value != "off" && !boltSets.contains(value) {
                throw ProfileError.invalidValue(file: file, keyPath: "tune.axes.bolt", line: locator.line(of: "tune.axes.bolt"), message: "\"\(value)\" is no BOLT flag set; use off, \(boltSets.sorted().joined(separator: ", ")).")
            }
            let pie = try axes.stringArray("pie")?.map { value -> Bool in
                guard let flag = Bool(value) else {
                    throw ProfileError.invalidValue(file: file, keyPath: "tune.axes.pie", line: locator.line(of: "tune.axes.pie"), message: "\"\(value)\" is not \"true\" or \"false\".")
                }
                return flag
            }
            func enums<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws -> [E]? where E.RawValue == String {
                try axes.stringArray(key)?.map { value in
                    guard let parsed = E(rawValue: value) else {
                        throw ProfileError.invalidValue(file: file, keyPath: "tune.axes.\(key)", line: locator.line(of: "tune.axes.\(key)"), message: "\"\(value)\" is not one of \(E.allCases.map(\.rawValue).joined(separator: ", ")).")
                    }
                    return parsed
                }
            }
            let pgo = try enums("pgo", PGOMode.self)
            let lto = try enums("lto", LTOMode.self)
            let compiler = try enums("compiler", CompilerFamily.self)
            let opt = try axes.stringArray("opt")
            try axes.finish()
            axis("compiler", compiler, \.rawValue) { $0.compiler = $1 }
            axis("pgo", pgo, \.rawValue) { $0.pgo = $1 }
            axis("lto", lto, \.rawValue) { $0.lto = $1 }
            axis("opt", opt, { $0.trimmingCharacters(in: CharacterSet(charactersIn: "-")) }) { $0.cflags = [$1] }
            axis("pie", pie, { String($0) }) { $0.pie = $1 }
            axis("bolt", bolt, { $0 }) { $0.bolt = $1 == "off" ? nil : $1 }
            for row in product where !row.name.isEmpty {
                settings.variants.append(TuneVariant(name: row.name.joined(separator: "."), overrides: row.overrides))
            }
        }
        try table.finish()
        if settings.variants.count > maxTuneVariants {
            throw ProfileError.invalidValue(file: file, keyPath: "tune", line: locator.line(of: "tune"), message: "\(settings.variants.count) variants; at most \(maxTuneVariants) (each is built and measured).")
        }
        var seen: Set<String> = []
        for variant in settings.variants {
            guard isSafeName(variant.name), !TuneSettings.reservedNames.contains(where: { $0.lowercased() == variant.name.lowercased() }) else {
                throw ProfileError.invalidValue(file: file, keyPath: "tune.variant", line: locator.line(of: "tune.variant"), message: "\"\(variant.name)\" cannot name a variant: use 1 to 100 ASCII letters, digits, '-', '_' or '.', not only dots, and not \(TuneSettings.reservedNames.sorted().joined(separator: ", ")) (temper's own rows).")
            }
            guard seen.insert(variant.name).inserted else {
                throw ProfileError.invalidValue(file: file, keyPath: "tune.variant", line: locator.line(of: "tune.variant"), message: "two variants are named `\(variant.name)`.")
            }
        }
        let names = settings.variants.isEmpty ? TuneSettings.defaultMatrix(extraBoltSets: boltCandidates).variants.map(\.name) : settings.variants.map(\.name)
        if let reference = settings.reference, !names.contains(reference) {
            throw ProfileError.invalidValue(file: file, keyPath: "tune.reference", line: locator.line(of: "tune.reference"), message: "`\(reference)` is not a variant of [tune] (\(names.joined(separator: ", "))).")
        }
        return settings
    }

    public static let maxTuneVariants = 24

    /// `[train]` or `[bolt.train]`: jobs, failure policy and the task list.
    static func training(_ table: TableReader?, keyPath: String, artifacts: Set<String>, file: String) throws -> TrainSettings {
        var train = TrainSettings()
        guard let table else { return train }
        train.jobs = try table.int("jobs", in: 1...maxJobs, why: "tasks run at once") ?? 1
        train.onFailure = try table.enumeration("on_failure", FailurePolicy.self) ?? .fail
        if keyPath == "train" {
            train.retrainBelow = try table.percent("retrain_below", why: "retrain when fewer of the hot functions match the edited sources") ?? train.retrainBelow
        }
        for (index, taskTable) in try table.tableArray("task").enumerated() {
            var task = TrainTask(name: try taskTable.string("name", required: true)!, run: try taskTable.stringArray("run", required: true)!)
            task.cwd = try taskTable.string("cwd")
            task.env = try taskTable.stringMap("env") ?? [:]
            task.timeout = try taskTable.seconds("timeout")
            try taskTable.finish()
            let path = "\(keyPath).task[\(index)]"
            try checkProgram(task.run, keyPath: "\(path).run", file: file, locator: table.locator)
            if !isSafeName(task.name) {
                throw ProfileError.invalidValue(file: file, keyPath: "\(path).name", line: table.locator.line(of: "\(path).name"), message: "\"\(task.name)\" cannot name a directory: use 1 to 100 ASCII letters, digits, '-', '_' or '.', and not only dots.")
            }
            if train.tasks.contains(where: { $0.name == task.name }) {
                throw ProfileError.invalidValue(file: file, keyPath: "\(path).name", line: table.locator.line(of: "\(path).name"), message: "another task is already named `\(task.name)`.")
            }
            try check(task.run + [task.cwd].compactMap { $0 } + Array(task.env.values), keyPath: path, allowed: Placeholders.taskNames.union(["artifact"]), artifacts: artifacts, file: file)
            train.tasks.append(task)
        }
        try table.finish()
        return train
    }

    /// A command must name a program: a non-empty argv whose first word is not empty.
    static func checkProgram(_ run: [String], keyPath: String, file: String, locator: KeyLocator, line: Int? = nil) throws {
        guard let program = run.first, !program.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ProfileError.invalidValue(file: file, keyPath: keyPath, line: line ?? locator.line(of: keyPath), message: "must name a program to run, e.g. [\"{artifact:NAME}\", \"ARG\"].")
        }
    }

    /// A path relative to a directory that stays inside it.
    static func isSafeRelativePath(_ path: String) -> Bool {
        !path.hasPrefix("/") && !path.contains("\0")
            && path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// Absolute paths stay as they are; relative ones are relative to the profile's directory.
    static func resolve(_ path: String, against directory: URL) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    private static func check(_ words: [String], keyPath: String, allowed: Set<String>, artifacts: Set<String>, file: String) throws {
        for word in words {
            if let problem = Placeholders.problem(in: word, allowed: allowed, artifacts: artifacts) {
                throw ProfileError.invalidValue(file: file, keyPath: keyPath, line: nil, message: problem)
            }
        }
    }
}

/// Typed, tracked access to one TOML table: every key read is remembered, so `finish()` can
/// reject the keys nobody asked for (typos) with a suggestion.
struct TableReader {
    let table: TOMLTable
    let path: String
    let file: String
    let locator: KeyLocator
    private let seen = Box()

    final class Box { var keys: Set<String> = [] }

    init(table: TOMLTable, path: String, file: String, locator: KeyLocator) {
        self.table = table
        self.path = path
        self.file = file
        self.locator = locator
    }

    private func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func value(_ key: String, required: Bool, expected: String) throws -> TOMLValueConvertible? {
        seen.keys.insert(key)
        guard let value = table[key] else {
            if required { throw ProfileError.missingKey(file: file, keyPath: keyPath(key), expected: expected) }
            return nil
        }
        return value
    }

    private func wrongType(_ key: String, _ expected: String, _ value: TOMLValueConvertible) -> ProfileError {
        .wrongType(file: file, keyPath: keyPath(key), line: locator.line(of: keyPath(key)), expected: expected, found: Self.describe(value))
    }

    static func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        default: return "a date or time"
        }
    }

    func string(_ key: String, required: Bool = false) throws -> String? {
        guard let value = try value(key, required: required, expected: "a string") else { return nil }
        guard let string = value.string else { throw wrongType(key, "a string", value) }
        try checkText(string, keyPath(key))
        return string
    }

    /// No NUL characters: they cannot pass into an argv, an environment or a path.
    func checkText(_ text: String, _ keyPath: String) throws {
        if text.contains("\0") {
            throw ProfileError.invalidValue(file: file, keyPath: keyPath, line: locator.line(of: keyPath), message: "contains a NUL character (\\u0000), which no command, variable or path can hold.")
        }
    }

    func int(_ key: String, required: Bool = false) throws -> Int? {
        guard let value = try value(key, required: required, expected: "an integer") else { return nil }
        guard let int = value.int else { throw wrongType(key, "an integer", value) }
        return int
    }

    /// An integer within `range`; beyond it, a located error that gives the range.
    func int(_ key: String, in range: ClosedRange<Int>, why: String) throws -> Int? {
        guard let value = try int(key) else { return nil }
        guard range.contains(value) else {
            throw ProfileError.invalidValue(
                file: file, keyPath: keyPath(key), line: locator.line(of: keyPath(key)),
                message: "\(value) is out of range: use \(range.lowerBound) to \(range.upperBound) (\(why)).")
        }
        return value
    }

    /// A duration in seconds: finite, positive, at most a week (NaN, infinities and 1e300
    /// are typos, and would crash the conversion to a clock duration).
    func seconds(_ key: String) throws -> Double? {
        guard let value = try value(key, required: false, expected: "a number of seconds") else { return nil }
        let seconds: Double
        if let int = value.int {
            seconds = Double(int)
        } else if let double = value.double {
            seconds = double
        } else {
            throw wrongType(key, "a number (seconds)", value)
        }
        guard seconds.isFinite, seconds > 0, seconds <= ProfileParser.maxTimeout else {
            throw ProfileError.invalidValue(
                file: file, keyPath: keyPath(key), line: locator.line(of: keyPath(key)),
                message: "\(seconds) is not a usable timeout: give a number of seconds greater than 0 and at most \(Int(ProfileParser.maxTimeout)) (7 days).")
        }
        return seconds
    }

    /// A percentage: finite, 0 to 100 (NaN and infinities are typos).
    func percent(_ key: String, why: String) throws -> Double? {
        guard let value = try value(key, required: false, expected: "a percentage") else { return nil }
        guard let number = value.int.map(Double.init) ?? value.double else { throw wrongType(key, "a number (percent)", value) }
        guard number.isFinite, (0...100).contains(number) else {
            throw ProfileError.invalidValue(
                file: file, keyPath: keyPath(key), line: locator.line(of: keyPath(key)),
                message: "\(number) is not a percentage: give 0 to 100 (\(why)).")
        }
        return number
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = try value(key, required: false, expected: "true or false") else { return nil }
        guard let bool = value.bool else { throw wrongType(key, "true or false", value) }
        return bool
    }

    /// `excluding`: values that exist but a profile may not give (set by a command line flag).
    func enumeration<E: RawRepresentable & CaseIterable & Equatable>(_ key: String, _ type: E.Type, excluding: [E] = []) throws -> E? where E.RawValue == String {
        let choices = E.allCases.filter { !excluding.contains($0) }.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
        guard let value = try value(key, required: false, expected: choices) else { return nil }
        guard let string = value.string else { throw wrongType(key, choices, value) }
        guard let result = E(rawValue: string), !excluding.contains(result) else {
            throw ProfileError.invalidValue(file: file, keyPath: keyPath(key), line: locator.line(of: keyPath(key)), message: "expected \(choices), found \"\(string)\".")
        }
        return result
    }

    func stringArray(_ key: String, required: Bool = false) throws -> [String]? {
        guard let value = try value(key, required: required, expected: "an array of strings") else { return nil }
        guard let array = value.array else { throw wrongType(key, "an array of strings", value) }
        return try array.enumerated().map { index, element in
            guard let string = element.string else {
                throw ProfileError.wrongType(file: file, keyPath: "\(keyPath(key))[\(index)]", line: locator.line(of: keyPath(key)), expected: "a string", found: Self.describe(element))
            }
            try checkText(string, keyPath(key))
            return string
        }
    }

    /// An argv array, or an array of argv arrays for several commands in sequence.
    func commands(_ key: String) throws -> [[String]]? {
        let expected = "an argv array of strings, or an array of such arrays"
        guard let value = try value(key, required: false, expected: expected) else { return nil }
        guard let array = value.array else { throw wrongType(key, expected, value) }
        if array.isEmpty { return [] }
        /// One command: no NUL, and a program to run.
        func argv(_ words: [String], _ path: String) throws -> [String] {
            for word in words { try checkText(word, keyPath(key)) }
            try ProfileParser.checkProgram(words, keyPath: path, file: file, locator: locator, line: locator.line(of: keyPath(key)))
            return words
        }
        if array.allSatisfy({ $0.string != nil }) { return [try argv(array.map { $0.string! }, keyPath(key))] }
        return try array.enumerated().map { index, element in
            guard let inner = element.array, !inner.isEmpty, inner.allSatisfy({ $0.string != nil }) else {
                throw ProfileError.wrongType(file: file, keyPath: "\(keyPath(key))[\(index)]", line: locator.line(of: keyPath(key)), expected: "a non-empty argv array of strings", found: Self.describe(element))
            }
            return try argv(inner.map { $0.string! }, "\(keyPath(key))[\(index)]")
        }
    }

    func stringMap(_ key: String) throws -> [String: String]? {
        guard let value = try value(key, required: false, expected: "a table of strings") else { return nil }
        guard let table = value.table else { throw wrongType(key, "a table of strings", value) }
        var result: [String: String] = [:]
        for inner in table.keys {
            guard let string = table[inner]?.string else {
                throw ProfileError.wrongType(file: file, keyPath: "\(keyPath(key)).\(inner)", line: locator.line(of: keyPath(key)), expected: "a string", found: table[inner].map(Self.describe) ?? "nothing")
            }
            guard !inner.isEmpty, !inner.contains("="), !inner.contains("\0") else {
                throw ProfileError.invalidValue(file: file, keyPath: "\(keyPath(key)).\(inner)", line: locator.line(of: keyPath(key)), message: "an environment variable name must be non-empty and hold no `=` or NUL.")
            }
            try checkText(string, "\(keyPath(key)).\(inner)")
            result[inner] = string
        }
        return result
    }

    func table(_ key: String, required: Bool = false) throws -> TableReader? {
        guard let value = try value(key, required: required, expected: "a table [\(keyPath(key))]") else { return nil }
        guard let table = value.table else { throw wrongType(key, "a table [\(keyPath(key))]", value) }
        return TableReader(table: table, path: keyPath(key), file: file, locator: locator)
    }

    func tableArray(_ key: String) throws -> [TableReader] {
        guard let value = try value(key, required: false, expected: "an array of tables") else { return [] }
        guard let array = value.array else { throw wrongType(key, "an array of tables [[\(keyPath(key))]]", value) }
        return try array.enumerated().map { index, element in
            guard let table = element.table else {
                throw ProfileError.wrongType(file: file, keyPath: "\(keyPath(key))[\(index)]", line: nil, expected: "a table", found: Self.describe(element))
            }
            return TableReader(table: table, path: "\(keyPath(key))[\(index)]", file: file, locator: locator)
        }
    }

    /// Rejects keys that no reader asked for.
    func finish() throws {
        for key in table.keys.sorted() where !seen.keys.contains(key) {
            let allowed = seen.keys.sorted()
            throw ProfileError.unknownKey(
                file: file, keyPath: keyPath(key), line: locator.line(of: keyPath(key)), allowed: allowed,
                suggestion: allowed.min { EditDistance.between($0, key) < EditDistance.between($1, key) }
                    .flatMap { EditDistance.between($0, key) <= 2 ? $0 : nil })
        }
    }
}

/// Finds the line of a key in the TOML text, by tracking `[table]` headers; good enough for
/// error messages, and nil rather than wrong when it cannot tell.
struct KeyLocator {
    let lines: [Substring]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func line(of keyPath: String) -> Int? {
        // Drop array indices: "train.task[1].run" -> table "train.task", key "run", occurrence 1.
        var parts = keyPath.split(separator: ".").map(String.init)
        // An empty or dots-only key ("" = 1, "." = 1) has no parts: nothing to locate.
        guard let key = parts.popLast() else { return nil }
        var occurrence = 0
        let table = parts.map { part -> String in
            if let open = part.firstIndex(of: "[") {
                occurrence = Int(part[part.index(after: open)...].dropLast()) ?? 0
                return String(part[..<open])
            }
            return part
        }.joined(separator: ".")
        var current = ""
        var seenOfTable = -1
        for (number, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                current = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).components(separatedBy: "]")[0]
                    .trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                if current == table { seenOfTable += 1 }
                continue
            }
            guard current == table, seenOfTable <= occurrence || !line.hasPrefix("[[") else { continue }
            if current == table && (parts.last?.contains("[") != true || seenOfTable == occurrence),
                let equals = line.firstIndex(of: "="),
                line[..<equals].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) == key
            {
                return number + 1
            }
        }
        return nil
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
