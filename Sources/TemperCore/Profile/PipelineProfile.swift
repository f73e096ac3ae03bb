/// A pipeline profile (`Profiles/NAME.toml`, format v1): how to build, train and benchmark one
/// project. Paths are absolute once parsed; commands are argv arrays with placeholders.
public struct PipelineProfile: Sendable, Equatable {
    public static let formatVersion = 1

    public var name: String
    /// Absolute path of the profile file.
    public var file: String
    /// Absolute path of the project's source tree.
    public var source: String
    public var toolchain: ToolchainSettings
    public var build: BuildSettings
    public var instrument: InstrumentSettings
    public var train: TrainSettings
    public var optimize: OptimizeSettings
    public var bench: BenchSettings?
    public var baseline: BaselineSettings
}

public enum CompilerFamily: String, Sendable, Equatable, CaseIterable, Codable {
    case clang, gcc
}

public struct ToolchainSettings: Sendable, Equatable {
    public var compiler: CompilerFamily = .clang
    /// A directory holding one LLVM's tools; relative paths are resolved against the profile.
    public var llvmBin: String?
}

public struct BuildSettings: Sendable, Equatable {
    /// Commands run once in a fresh build directory before `build` (e.g. a configure script).
    public var configure: [[String]] = []
    public var build: [[String]] = []
    /// Paths relative to the build directory; `{artifact:NAME}` names them by file name.
    public var artifacts: [String] = []
    public var env: [String: String] = [:]
    public var cflags: [String] = ["-O2"]
    public var cxxflags: [String]?
    public var ldflags: [String] = []

    public var artifactNames: [String] { artifacts.map { String($0.split(separator: "/").last ?? "") } }
}

public enum LTOMode: String, Sendable, Equatable, CaseIterable, Codable {
    case thin, full, none
}

public enum PGOMode: String, Sendable, Equatable, CaseIterable, Codable {
    /// LLVM IR-level instrumentation (`-fprofile-generate`), the better default.
    case ir
    /// Clang front-end instrumentation (`-fprofile-instr-generate`).
    case frontend
}

public struct InstrumentSettings: Sendable, Equatable {
    /// LTO in the instrumented build: off by default, the profile is the same and the link cheaper.
    public var lto: LTOMode = .none
}

public enum FailurePolicy: String, Sendable, Equatable, CaseIterable {
    case fail, warn
}

public struct TrainTask: Sendable, Equatable {
    public var name: String
    public var run: [String]
    /// Working directory, relative to the instrumented build directory unless absolute.
    public var cwd: String?
    public var env: [String: String] = [:]
    /// Seconds before the task's process group is stopped.
    public var timeout: Double?
}

public struct TrainSettings: Sendable, Equatable {
    public var jobs: Int = 1
    public var onFailure: FailurePolicy = .fail
    public var tasks: [TrainTask] = []
}

public struct OptimizeSettings: Sendable, Equatable {
    public var pgo: PGOMode = .ir
    public var lto: LTOMode = .thin
    public var missingProfile: MissingProfilePolicy = .warn

    public init(pgo: PGOMode = .ir, lto: LTOMode = .thin, missingProfile: MissingProfilePolicy = .warn) {
        self.pgo = pgo
        self.lto = lto
        self.missingProfile = missingProfile
    }
}

/// What the optimized build does with code the profile does not cover (functions or files
/// without data, stale data): count it as warnings in the report, or fail the build.
public enum MissingProfilePolicy: String, Sendable, Equatable, CaseIterable {
    case warn, error
}

public struct BenchSettings: Sendable, Equatable {
    public var run: [String]
    public var cwd: String?
    public var env: [String: String] = [:]
}

public struct BaselineSettings: Sendable, Equatable {
    public var enabled = false
}
