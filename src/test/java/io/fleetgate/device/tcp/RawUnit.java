package io.fleetgate.device.tcp;

import io.fleetgate.protocol.tcp.TcpFrame;
import io.fleetgate.protocol.tcp.TcpMessage;
import io.fleetgate.protocol.tcp.TcpMessageDecoder;
import io.fleetgate.protocol.tcp.TcpMessageEncoder;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** A unit on a plain {@link Socket}: writes bytes as the test says, reads whole frames with a timeout. */
final class RawUnit implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  RawUnit(int port) {
    this(plain(port));
  }

  /** Over a socket of the test's (e.g. a TLS one). */
  RawUnit(Socket socket) {
    try {
      this.socket = socket;
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Socket plain(int port) {
    try {
      return new Socket("127.0.0.1", port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RawUnit send(TcpMessage... messages) {
    for (TcpMessage m : messages) {
      write(TcpMessageEncoder.encode(m));
    }
    return this;
  }

  RawUnit write(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One byte per write, each flushed, with a pause now and then so they really arrive apart. */
  RawUnit writeByteByByte(byte[] bytes) throws InterruptedException {
    for (int i = 0; i < bytes.length; i++) {
      write(new byte[] {bytes[i]});
      if (i % 8 == 0) {
        Thread.sleep(1);
      }
    }
    return this;
  }

  /** Whether nothing at all arrives from the gateway within {@code ms} (the socket stays open). */
  boolean silentFor(int ms) {
    try {
      socket.setSoTimeout(ms);
      in.read(); // a byte, or the end of the stream: either way not silent
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      try {
        socket.setSoTimeout(10_000);
      } catch (IOException ignored) {
        // closed
      }
    }
  }

  /** The next frame from the gateway, decoded. */
  TcpMessage read() {
    try {
      byte[] header = new byte[TcpFrame.HEADER_LENGTH];
      in.readFully(header);
      int length = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
      byte[] rest = new byte[length + TcpFrame.CRC_LENGTH];
      in.readFully(rest);
      byte[] payload = java.util.Arrays.copyOf(rest, length);
      TcpFrame frame = new TcpFrame(header[2] & 0xFF, payload);
      byte[] whole = frame.toBytes();
      if (whole[whole.length - 2] != rest[length] || whole[whole.length - 1] != rest[length + 1]) {
        throw new AssertionError("bad CRC from the gateway");
      }
      return TcpMessageDecoder.decode(frame, System.currentTimeMillis());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the gateway closed the connection (end of stream) within the socket timeout. */
  boolean closedByGateway() {
    try {
      return in.read() < 0;
    } catch (EOFException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
