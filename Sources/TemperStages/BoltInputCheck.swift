import TemperModel
import TemperSystem
import Foundation

/// What BOLT needs of an input binary (ELF, symbols, relocations, not already BOLTed, and no
/// PIE unless accepted), checked before any llvm-bolt run by whichever stage feeds BOLT first.
public enum BoltInputCheck {
    /// Why BOLT cannot take this file, with the fix; nil when it can.
    public static func problem(with path: String, name: String, acceptPIE: Bool) -> String? {
        guard let elf = ELFFile(path: path) else {
            return "\(name) is not an ELF file; BOLT only takes ELF executables and shared libraries. Leave it out of [bolt] artifacts."
        }
        if elf.isBolted {
            return "\(name) was already processed by BOLT (it has .bolt.org.text); BOLT cannot process its own output. Check that the build does not run llvm-bolt itself."
        }
        if elf.isStripped {
            return "\(name) is stripped (no .symtab); BOLT needs the symbols. Remove -s / strip from the build (strip the BOLTed result instead)."
        }
        if !elf.hasRelocations {
            return "\(name) has no static relocations (no .rela.text); BOLT needs them to move code. The optimize stage adds -Wl,--emit-relocs to {ldflags} and LDFLAGS: pass them to the link."
        }
        if elf.isPIE && !acceptPIE {
            return "\(name) is a position-independent executable although BOLT asked for -fno-pie -no-pie: the build did not pass {cflags}/{ldflags}. In a PIE, BOLT skips every function whose jump tables were hoisted out of a loop (typical interpreter loops) and still reports success. Pass the flags, or set [bolt] pie = true to accept that."
        }
        return nil
    }
}
