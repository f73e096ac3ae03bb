import TemperModel
extension Toolchain {
    /// How the instrumented program writes its raw profiles.
    public var profileRuntime: ProfileRuntime {
        family == .clang
            ? ProfileRuntime(rawExtension: "profraw", writeErrorMarker: "LLVM Profile Error", variable: "LLVM_PROFILE_FILE", fileInDirectory: "/%p.profraw")
            : ProfileRuntime(rawExtension: "gcda", writeErrorMarker: "profiling:", variable: "GCOV_PREFIX", fileInDirectory: "")
    }
}

/// The profile runtime of a compiler family: where it writes, and how it reports write errors
/// (both runtimes print an error and still exit 0).
public struct ProfileRuntime: Sendable, Equatable {
    public var rawExtension: String
    public var writeErrorMarker: String
    public var variable: String
    /// Appended to the directory: `%p` gives LLVM one file per process; GCC's GCOV_PREFIX
    /// prefixes the object's own path and merges runs in place (with file locking).
    public var fileInDirectory: String

    public func environment(rawDirectory: String) -> [String: String] {
        [variable: rawDirectory + fileInDirectory]
    }
}
