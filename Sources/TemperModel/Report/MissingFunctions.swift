/// The functions of one source file that the optimize build found no profile data for, and
/// how many of them are in the artifacts at all: "missing functions" in files no artifact
/// links (a library's other programs, extension modules, test helpers) cost nothing.
public struct MissingFunctions: Codable, Sendable, Equatable {
    public var file: String
    public var functions: Int
    /// How many of them an artifact's symbol table names (0: the file's code is in none).
    public var inArtifacts: Int
    /// A few of the names, for people.
    public var examples: [String]

    enum CodingKeys: String, CodingKey {
        case file, functions, examples
        case inArtifacts = "in_artifacts"
    }

    public init(file: String, functions: Int, inArtifacts: Int, examples: [String]) {
        self.file = file
        self.functions = functions
        self.inArtifacts = inArtifacts
        self.examples = examples
    }

    /// Per file, from the names in the build log and the artifacts' symbols (a symbol's
    /// `.llvm.N`, `.cold`, `.isra` ... suffixes stripped), most missing first.
    public static func account(missing: [String: [String]], symbols: Set<String>) -> [MissingFunctions] {
        let bases = Set(symbols.map { String($0.split(separator: ".", maxSplits: 1).first ?? Substring($0)) })
        return missing.map { file, names in
            MissingFunctions(file: file, functions: names.count, inArtifacts: names.filter(bases.contains).count, examples: Array(names.prefix(5)))
        }.sorted { ($0.functions, $1.file) > ($1.functions, $0.file) }
    }

    /// One line for people: how many of the missing functions are in the artifacts.
    public static func summary(_ files: [MissingFunctions]) -> String? {
        let total = files.map(\.functions).reduce(0, +)
        guard total > 0 else { return nil }
        let linked = files.map(\.inArtifacts).reduce(0, +)
        let outside = files.filter { $0.inArtifacts == 0 }
        let top = outside.prefix(3).map { "\($0.file.split(separator: "/").last ?? "") (\($0.functions))" }.joined(separator: ", ")
        return "\(total) functions without profile data: \(linked) of them in the artifacts; \(outside.map(\.functions).reduce(0, +)) in \(outside.count) file(s) none of whose code is in an artifact (other programs or libraries the training never ran\(top.isEmpty ? "" : ", e.g. " + top))"
    }
}
