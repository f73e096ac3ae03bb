import Foundation
import TemperModel
import TemperSystem

/// The LLVM toolchain the tests build with, found the way temper finds it
/// (`ToolchainResolver` without `--llvm-bin`), never a hard-coded `/usr/lib/llvm-N`.
struct TestLLVM: Sendable {
    let toolchain: Toolchain
    /// clang's resource directory (`clang -print-resource-dir`): headers and runtimes.
    let resourceDirectory: String

    var bin: String { toolchain.directory }
    var major: Int { toolchain.cc.major }
    func tool(_ name: String) -> String { bin + "/" + name }

    private actor Cache {
        var found: TestLLVM?
        func get() async throws -> TestLLVM {
            if let found { return found }
            let toolchain = try await ToolchainResolver(runner: SubprocessRunner()).resolve(llvmBin: nil)
            let resources = try Temper.output(of: toolchain.cc.path, ["-print-resource-dir"]).trimmingCharacters(in: .whitespacesAndNewlines)
            let value = TestLLVM(toolchain: toolchain, resourceDirectory: resources)
            found = value
            return value
        }
    }

    private static let cache = Cache()

    static func find() async throws -> TestLLVM { try await cache.get() }
}
