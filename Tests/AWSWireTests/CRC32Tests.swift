import AWSWire
import NIOCore
import Testing

@Suite struct CRC32Tests {
    @Test func knownVectors() {
        // zlib.crc32 values.
        #expect(CRC32.checksum(Array("".utf8)) == 0)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func incrementalEqualsOneShotAtEverySplit() {
        let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = CRC32.checksum(data)
        for split in [0, 1, 3, 7, 8, 9, 15, 16, 17, 150, 299, 300] {
            var crc = CRC32()
            crc.update(data[..<split])
            crc.update(data[split...])
            #expect(crc.value == whole, "split at \(split)")
        }
    }

    @Test func seedContinuesLikeZlib() {
        let a = Array("hello ".utf8), b = Array("world".utf8)
        #expect(CRC32.checksum(b, seed: CRC32.checksum(a)) == CRC32.checksum(a + b))
    }

    @Test func byteBufferUsesReadableBytesOnly() {
        var buffer = ByteBuffer(bytes: Array("xx123456789".utf8))
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(CRC32.checksum(buffer) == 0xCBF4_3926)
        #expect(buffer.readerIndex == 2)
    }

    @Test func matchesBitwiseReferenceOnLongInput() {
        let data = (0..<4099).map { UInt8(truncatingIfNeeded: ($0 * 7919) >> 3) }
        var reference: UInt32 = 0xFFFF_FFFF
        for byte in data {
            reference ^= UInt32(byte)
            for _ in 0..<8 { reference = (reference & 1) != 0 ? (reference >> 1) ^ 0xEDB8_8320 : reference >> 1 }
        }
        #expect(CRC32.checksum(data) == ~reference)
    }
}
