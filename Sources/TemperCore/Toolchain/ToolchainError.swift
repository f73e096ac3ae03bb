/// Toolchain problems, found before anything is built. All map to exit status 3.
public enum ToolchainError: Error, CustomStringConvertible, Equatable {
    case notFound(searched: [String])
    case missingTool(role: String, name: String, directory: String)
    case unreadableVersion(role: String, path: String, output: String)
    case mixedVersions(compiler: Tool, mismatched: [Tool])

    public var description: String {
        switch self {
        case .notFound(let searched):
            return "no LLVM toolchain with clang and llvm-profdata was found (looked in: \(searched.joined(separator: ", "))). "
                + "Install one with `Scripts/install-toolchain.sh 22`, or pass `--llvm-bin DIR`."
        case .missingTool(let role, let name, let directory):
            return "the toolchain in \(directory) has no \(name) (\(role)). temper takes every tool from one LLVM; "
                + "install the full set (`Scripts/install-toolchain.sh N` installs clang-N, lld-N, llvm-N) or pass `--llvm-bin` with a complete directory."
        case .unreadableVersion(let role, let path, let output):
            return "cannot tell the version of \(role) \(path) from its `--version` output: \(output.prefix(200))"
        case .mixedVersions(let compiler, let mismatched):
            let list = mismatched.map { "\($0.role) \($0.path) is LLVM \($0.version) (major \($0.major))" }
            return "mixed LLVM versions: the compiler \(compiler.path) is LLVM \(compiler.version) (major \(compiler.major)), but "
                + list.joined(separator: "; ")
                + ". Profiles and LTO objects only read back with tools of the same major. Use one LLVM's directory, e.g. `--llvm-bin /usr/lib/llvm-\(compiler.major)/bin`."
        }
    }
}
