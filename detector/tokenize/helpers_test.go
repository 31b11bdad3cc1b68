package tokenize

import (
	"encoding/binary"
	"hash/crc32"
)

func binaryAppendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

func binaryAppendCRC(b []byte) []byte {
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}
