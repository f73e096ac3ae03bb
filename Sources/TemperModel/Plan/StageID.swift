/// A stage's identity: the one name the executor, the state, the composer, the publisher and
/// the report use for it. The pipeline's stages are the static members; the executor itself
/// accepts any id, so it can run stages it knows nothing about.
public struct StageID: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
    public static func < (a: StageID, b: StageID) -> Bool { a.rawValue < b.rawValue }

    /// Takes a profile bundle's place for the training stages (`--profile-bundle`).
    public static let bundleImport: StageID = "import"
    public static let instrument: StageID = "instrument"
    public static let train: StageID = "train"
    public static let merge: StageID = "merge"
    /// CS-IRPGO: the context-sensitive instrumented build, its training and its merge.
    public static let csInstrument: StageID = "cs-instrument"
    public static let csTrain: StageID = "cs-train"
    public static let csMerge: StageID = "cs-merge"
    public static let optimize: StageID = "optimize"
    /// The build BOLT works on: the optimize build's flags plus `--emit-relocs` (and `-no-pie`
    /// when the profile accepts it). It is never published: `optimize` is what ships without BOLT.
    public static let boltBuild: StageID = "bolt-build"
    public static let boltInstrument: StageID = "bolt-instrument"
    public static let boltTrain: StageID = "bolt-train"
    public static let boltMerge: StageID = "bolt-merge"
    public static let boltOptimize: StageID = "bolt-optimize"
    public static let baseline: StageID = "baseline"
    public static let install: StageID = "install"
}
