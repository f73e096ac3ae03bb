import Foundation
import TOMLKit

/// Reads a pipeline profile strictly: unknown keys, wrong types and bad placeholders are errors
/// with the file, a line where one can be found, the key path, and what was expected.
public enum ProfileParser {
    public static func load(path: String) throws -> PipelineProfile {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ProfileError.unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        return try parse(text, file: url.path)
    }

    public static func parse(_ text: String, file: String) throws -> PipelineProfile {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ProfileError.syntax(
                file: file, line: error.source.begin.line, column: error.source.begin.column,
                message: error.description)
        }
        let locator = KeyLocator(text: text)
        let top = TableReader(table: root, path: "", file: file, locator: locator)
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent()

        let version = try top.int("version", required: true)!
        guard version == PipelineProfile.formatVersion else {
            throw ProfileError.invalidValue(
                file: file, keyPath: "version", line: locator.line(of: "version"),
                message: "format version \(version) is not supported; this temper reads version \(PipelineProfile.formatVersion).")
        }
        let name = try top.string("name", required: true)!
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ProfileError.invalidValue(
                file: file, keyPath: "name", line: locator.line(of: "name"),
                message: "use letters, digits, '-', '_' or '.' (it names the work dir).")
        }

        let sourceTable = try top.table("source", required: true)!
        let sourcePath = try sourceTable.string("path", required: true)!
        let sourceExclude = try sourceTable.stringArray("exclude") ?? []
        try sourceTable.finish()
        let source = resolve(sourcePath, against: directory)

        var toolchain = ToolchainSettings()
        if let table = try top.table("toolchain") {
            toolchain.compiler = try table.enumeration("compiler", CompilerFamily.self) ?? .clang
            toolchain.llvmBin = try table.string("llvm_bin").map { resolve($0, against: directory) }
            try table.finish()
        }

        let buildTable = try top.table("build", required: true)!
        var build = BuildSettings()
        build.configure = try buildTable.commands("configure") ?? []
        guard let buildCommands = try buildTable.commands("build"), !buildCommands.isEmpty else {
            throw ProfileError.missingKey(file: file, keyPath: "build.build", expected: "an argv array, e.g. [\"make\", \"-j{jobs}\"]")
        }
        build.build = buildCommands
        build.artifacts = try buildTable.stringArray("artifacts", required: true)!
        build.env = try buildTable.stringMap("env") ?? [:]
        build.cflags = try buildTable.stringArray("cflags") ?? build.cflags
        build.cxxflags = try buildTable.stringArray("cxxflags")
        build.ldflags = try buildTable.stringArray("ldflags") ?? []
        build.exportFlags = try buildTable.bool("export_flags") ?? true
        build.configureAhead = try buildTable.bool("configure_ahead") ?? true
        try buildTable.finish()
        if build.artifacts.isEmpty {
            throw ProfileError.invalidValue(file: file, keyPath: "build.artifacts", line: locator.line(of: "build.artifacts"), message: "list at least one artifact (a path relative to the build directory).")
        }
        let names = build.artifactNames
        if let dup = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ProfileError.invalidValue(file: file, keyPath: "build.artifacts", line: locator.line(of: "build.artifacts"), message: "two artifacts share the file name `\(dup)`; `{artifact:NAME}` must name one.")
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
            try table.finish()
        }

        var bench: BenchSettings?
        if let table = try top.table("bench") {
            var settings = BenchSettings(run: try table.stringArray("run", required: true)!)
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
            bolt.flags = try table.stringArray("flags")
            bolt.extraFlags = try table.stringArray("extra_flags") ?? []
            bolt.pie = try table.bool("pie") ?? false
            bolt.compare = try table.enumeration("compare", VerifyComparison.self) ?? .output
            bolt.timingRuns = try table.int("timing_runs") ?? bolt.timingRuns
            if bolt.timingRuns < 1 {
                throw ProfileError.invalidValue(file: file, keyPath: "bolt.timing_runs", line: locator.line(of: "bolt.timing_runs"), message: "must be at least 1 (the verification run itself).")
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
        var verify: TrainTask?
        if let table = try top.table("verify") {
            var task = TrainTask(name: "verify", run: try table.stringArray("run", required: true)!)
            task.cwd = try table.string("cwd")
            task.env = try table.stringMap("env") ?? [:]
            task.timeout = try table.number("timeout")
            try table.finish()
            try check(task.run + [task.cwd].compactMap { $0 } + Array(task.env.values), keyPath: "verify", allowed: Placeholders.taskNames.union(["artifact"]), artifacts: artifactSet, file: file)
            verify = task
        }
        try top.finish()

        for (key, words) in [("build.configure", build.configure.flatMap { $0 }), ("build.build", build.build.flatMap { $0 }), ("build.env", Array(build.env.values))] {
            try check(words, keyPath: key, allowed: Placeholders.buildNames, artifacts: artifactSet, file: file)
        }
        var profile = PipelineProfile(
            name: name, file: file, source: source, toolchain: toolchain, build: build,
            instrument: instrument, train: train, optimize: optimize, bench: bench, baseline: baseline)
        profile.bolt = bolt
        profile.verify = verify
        profile.sourceExclude = sourceExclude
        return profile
    }

    /// `[train]` or `[bolt.train]`: jobs, failure policy and the task list.
    static func training(_ table: TableReader?, keyPath: String, artifacts: Set<String>, file: String) throws -> TrainSettings {
        var train = TrainSettings()
        guard let table else { return train }
        train.jobs = try table.int("jobs") ?? 1
        guard train.jobs >= 1 else {
            throw ProfileError.invalidValue(file: file, keyPath: "\(keyPath).jobs", line: table.locator.line(of: "\(keyPath).jobs"), message: "must be at least 1.")
        }
        train.onFailure = try table.enumeration("on_failure", FailurePolicy.self) ?? .fail
        for (index, taskTable) in try table.tableArray("task").enumerated() {
            var task = TrainTask(name: try taskTable.string("name", required: true)!, run: try taskTable.stringArray("run", required: true)!)
            task.cwd = try taskTable.string("cwd")
            task.env = try taskTable.stringMap("env") ?? [:]
            task.timeout = try taskTable.number("timeout")
            try taskTable.finish()
            let path = "\(keyPath).task[\(index)]"
            if task.run.isEmpty {
                throw ProfileError.invalidValue(file: file, keyPath: "\(path).run", line: nil, message: "must name a program to run.")
            }
            if !task.name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) || task.name.isEmpty {
                throw ProfileError.invalidValue(file: file, keyPath: "\(path).name", line: nil, message: "use letters, digits, '-', '_' or '.' (it names a directory).")
            }
            if train.tasks.contains(where: { $0.name == task.name }) {
                throw ProfileError.invalidValue(file: file, keyPath: "\(path).name", line: nil, message: "another task is already named `\(task.name)`.")
            }
            if let timeout = task.timeout, timeout <= 0 {
                throw ProfileError.invalidValue(file: file, keyPath: "\(path).timeout", line: nil, message: "must be a positive number of seconds.")
            }
            try check(task.run + [task.cwd].compactMap { $0 } + Array(task.env.values), keyPath: path, allowed: Placeholders.taskNames.union(["artifact"]), artifacts: artifacts, file: file)
            train.tasks.append(task)
        }
        try table.finish()
        return train
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
        return string
    }

    func int(_ key: String, required: Bool = false) throws -> Int? {
        guard let value = try value(key, required: required, expected: "an integer") else { return nil }
        guard let int = value.int else { throw wrongType(key, "an integer", value) }
        return int
    }

    func number(_ key: String) throws -> Double? {
        guard let value = try value(key, required: false, expected: "a number") else { return nil }
        if let int = value.int { return Double(int) }
        guard let double = value.double else { throw wrongType(key, "a number (seconds)", value) }
        return double
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = try value(key, required: false, expected: "true or false") else { return nil }
        guard let bool = value.bool else { throw wrongType(key, "true or false", value) }
        return bool
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws -> E? where E.RawValue == String {
        let choices = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
        guard let value = try value(key, required: false, expected: choices) else { return nil }
        guard let string = value.string else { throw wrongType(key, choices, value) }
        guard let result = E(rawValue: string) else {
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
            return string
        }
    }

    /// An argv array, or an array of argv arrays for several commands in sequence.
    func commands(_ key: String) throws -> [[String]]? {
        let expected = "an argv array of strings, or an array of such arrays"
        guard let value = try value(key, required: false, expected: expected) else { return nil }
        guard let array = value.array else { throw wrongType(key, expected, value) }
        if array.isEmpty { return [] }
        if array.allSatisfy({ $0.string != nil }) { return [array.map { $0.string! }] }
        return try array.enumerated().map { index, element in
            guard let inner = element.array, !inner.isEmpty, inner.allSatisfy({ $0.string != nil }) else {
                throw ProfileError.wrongType(file: file, keyPath: "\(keyPath(key))[\(index)]", line: locator.line(of: keyPath(key)), expected: "a non-empty argv array of strings", found: Self.describe(element))
            }
            return inner.map { $0.string! }
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
        let key = parts.removeLast()
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
