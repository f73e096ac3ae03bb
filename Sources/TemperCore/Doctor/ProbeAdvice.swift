import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
/// Turns a probe's failure output into the fix, for the failures seen in the field.
public enum ProbeAdvice {
    public static func fix(for output: String, toolchain: Toolchain?) -> String? {
        let major = toolchain?.cc.major ?? 22
        let llvmBin = "--llvm-bin /usr/lib/llvm-\(major)/bin"
        if output.contains("libclang_rt.profile") {
            return "the compiler's profile runtime is missing: `\(ToolchainAdvice.install(["libclang-rt-\(major)-dev"]))`"
        }
        if output.contains("unsupported instrumentation profile format version") || output.contains("no profile can be merged") {
            return "llvm-profdata cannot read this compiler's profiles: take every tool from one LLVM (\(llvmBin))"
        }
        if output.contains("Opaque pointers") || output.contains("Invalid record") || output.contains("Unknown attribute kind")
            || output.contains("file format not recognized") || output.contains("is not an object") {
            return "the archiver or linker cannot read this compiler's LTO objects: use llvm-ar and ld.lld of the same LLVM (\(llvmBin))"
        }
        if output.contains("plugin needed to handle lto object") || output.contains("liblto_plugin") {
            return "ar cannot read GCC's LTO objects: use gcc-ar and gcc-ranlib of the same GCC (`\(ToolchainAdvice.install(["gcc-\(major)"]))`)"
        }
        if output.contains("BOLT-ERROR: library not found") {
            return "BOLT cannot find its instrumentation runtime: install bolt-\(major) from the same LLVM, or pass -runtime-instrumentation-lib=PATH (BOLT 19 looks in the wrong place)"
        }
        if output.contains("relocations") && output.contains("BOLT") {
            return "link BOLT inputs with -Wl,--emit-relocs (and -fno-pie -no-pie)"
        }
        if output.contains("Cannot open") || output.contains("Permission denied") {
            return "the profile could not be written: check free space and permissions of the work dir"
        }
        return nil
    }
}
