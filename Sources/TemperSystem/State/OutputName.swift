import TemperModel
/// The names under which a stage records what it produced (`StageRecord.named`), declared in
/// one place: the stage that writes one and the stages, publisher and report that read it use
/// the same constant, never a string of their own. The raw values are state.json's keys.
public struct OutputName: RawRepresentable, Hashable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The merged LLVM profile (`.profdata`), content-addressed.
    public static let profileData = OutputName(rawValue: "profdata")
    /// The merged GCC profile tree (`.gcda` files mirroring the instrumented build).
    public static let profileDirectory = OutputName(rawValue: "profile_dir")
    /// The profile's hottest functions (JSON, `[HotFunction]`).
    public static let hottestFunctions = OutputName(rawValue: "hottest")
    /// The optimize build's profile warnings per source file (JSON).
    public static let profileWarningsByFile = OutputName(rawValue: "profile_warnings_by_file")
    /// The functions the training executed (one name per line), from an imported bundle.
    public static let hotFunctionList = OutputName(rawValue: "hot_functions")
    /// How the sources differ from a bundle's (JSON, `Staleness.Sources`).
    public static let sourceStaleness = OutputName(rawValue: "source_staleness")
    /// The imported bundle's manifest (JSON, `BundleManifest`).
    public static let bundleManifest = OutputName(rawValue: "bundle_manifest")
    /// The functions the optimize build's compiler found stale or without data (JSON, `ProfileMismatches`).
    public static let profileMismatches = OutputName(rawValue: "profile_mismatches")
    /// Functions without profile data per file, and how many are in the artifacts (JSON).
    public static let profileMissing = OutputName(rawValue: "profile_missing")
    /// The compile cache's hits and misses in a build (JSON, `CompileCacheStats`).
    public static let compileCache = OutputName(rawValue: "compile_cache")
    /// BOLT's account of its work (JSON, `BoltSummary`).
    public static let boltReport = OutputName(rawValue: "bolt_report")

    /// The installed tree (`{destdir}` of the install stage) and its tarball.
    public static let installTree = OutputName(rawValue: "install_tree")
    public static let installTarball = OutputName(rawValue: "install_tarball")
    /// With `[install] split_debug` and a tarball: the debug files' own tarball.
    public static let installDebugTarball = OutputName(rawValue: "install_debug_tarball")
    /// The installed tree's manifest (path and SHA-256 of every file).
    public static let installManifest = OutputName(rawValue: "install_manifest")
    /// The tree a verified BOLT candidate's artifacts were written into, by candidate name
    /// (`temper tune` measures each).
    public static func candidateTree(_ name: String) -> OutputName { OutputName(rawValue: "candidate_tree:" + name) }
    /// A build artifact, by its file name.
    public static func artifact(_ name: String) -> OutputName { OutputName(rawValue: "artifact:" + name) }
}

extension StageRecord {
    /// The path (relative to the work dir) the stage recorded under `name`.
    public func output(_ name: OutputName) -> String? { named[name.rawValue] }
}

extension Dictionary where Key == String, Value == String {
    /// Records a named output (for `StageResult.named`).
    public subscript(output name: OutputName) -> String? {
        get { self[name.rawValue] }
        set { self[name.rawValue] = newValue }
    }
}
