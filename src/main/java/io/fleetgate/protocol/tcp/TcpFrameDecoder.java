package io.fleetgate.protocol.tcp;

import io.fleetgate.protocol.tcp.TcpFrameException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Bytes of one connection in, whole frames out. Bytes may arrive split or merged in any way: {@link #append}
 * what the socket read, then call {@link #next} until it returns null ("no frame yet"). The envelope is
 * checked as early as possible: the magic as soon as its bytes are there, the length (≤ 4096, enforced here
 * and only here) once the header is complete, so at most one frame is ever buffered. After a
 * {@link TcpFrameException} the stream is out of sync and the decoder keeps failing. Not thread-safe.
 */
public final class TcpFrameDecoder {
  private final ByteBuf buffer = Unpooled.buffer(256);
  private TcpFrameException failure;

  public TcpFrameDecoder append(byte[] bytes) {
    return append(Unpooled.wrappedBuffer(bytes));
  }

  /** Copies the readable bytes of {@code bytes} (its indices are left alone). */
  public TcpFrameDecoder append(ByteBuf bytes) {
    if (failure == null) {
      buffer.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
    }
    return this;
  }

  /** Bytes received and not yet part of a returned frame. */
  public int buffered() {
    return buffer.readableBytes();
  }

  /**
   * The next whole frame, or null when more bytes are needed.
   *
   * @throws TcpFrameException bad magic, over-long length or bad CRC (and on every call after)
   */
  public TcpFrame next() {
    if (failure != null) {
      throw failure;
    }
    try {
      return decode();
    } catch (TcpFrameException e) {
      failure = e;
      buffer.clear();
      throw e;
    }
  }

  private TcpFrame decode() {
    int start = buffer.readerIndex();
    int available = buffer.readableBytes();
    if (available >= 1 && buffer.getUnsignedByte(start) != TcpFrame.MAGIC_1
        || available >= 2 && buffer.getUnsignedByte(start + 1) != TcpFrame.MAGIC_2) {
      throw new TcpFrameException(Reason.BAD_MAGIC, "frame does not start with F1EE");
    }
    if (available < TcpFrame.HEADER_LENGTH) {
      return null;
    }
    int type = buffer.getUnsignedByte(start + 2);
    int length = buffer.getUnsignedShort(start + 3);
    if (length > TcpFrame.MAX_PAYLOAD) {
      throw new TcpFrameException(Reason.TOO_LONG, "length " + length + " > " + TcpFrame.MAX_PAYLOAD);
    }
    int total = TcpFrame.HEADER_LENGTH + length + TcpFrame.CRC_LENGTH;
    if (available < total) {
      return null;
    }
    int crc = buffer.getUnsignedShort(start + TcpFrame.HEADER_LENGTH + length);
    int expected = Crc16.of(buffer, start + 2, 3 + length);
    if (crc != expected) {
      throw new TcpFrameException(Reason.BAD_CRC, String.format("CRC %04X, expected %04X", crc, expected));
    }
    byte[] payload = new byte[length];
    buffer.getBytes(start + TcpFrame.HEADER_LENGTH, payload);
    buffer.readerIndex(start + total);
    if (!buffer.isReadable()) {
      buffer.clear();
    } else if (buffer.readerIndex() > 4096) {
      buffer.discardReadBytes();
    }
    return new TcpFrame(type, payload);
  }
}
