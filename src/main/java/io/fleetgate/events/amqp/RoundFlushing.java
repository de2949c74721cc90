package io.fleetgate.events.amqp;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.AMQConnection;
import com.rabbitmq.client.impl.Frame;
import com.rabbitmq.client.impl.FrameHandler;
import com.rabbitmq.client.impl.FrameHandlerFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;

/**
 * One socket write per round of publishes instead of one per message. amqp-client flushes after every command
 * ({@code AMQCommand.transmit} ends in {@code connection.flush()}), which on its blocking socket is one
 * {@code write} system call and one TCP segment per published message, for the gateway and again for the
 * broker, which reads them one by one. A connection made by this factory ignores the flushes of the thread
 * that {@link Handler#hold holds} it: frames collect in the client's 8 KiB output buffer (written whenever it
 * fills) and {@link Handler#release} flushes the rest once, at the end of the round. Flushes of other threads
 * (heartbeats, the client's own replies, other channels) go through at once; each flushes everything buffered.
 */
final class RoundFlushing extends ConnectionFactory {
  private volatile Handler handler;

  /** The frame handler of the connection this factory made last (one per factory in the publisher). */
  Handler handler() {
    return handler;
  }

  @Override
  protected synchronized FrameHandlerFactory createFrameHandlerFactory() throws IOException {
    FrameHandlerFactory sockets = super.createFrameHandlerFactory();
    return (address, connectionName) -> {
      Handler h = new Handler(sockets.create(address, connectionName));
      handler = h;
      return h;
    };
  }

  /** A frame handler whose flushes one thread can hold back until the end of its round. */
  static final class Handler implements FrameHandler {
    private final FrameHandler delegate;
    private volatile Thread holder;

    Handler(FrameHandler delegate) {
      this.delegate = delegate;
    }

    /** From now on the calling thread's flushes wait for {@link #release}. */
    void hold() {
      holder = Thread.currentThread();
    }

    /** Ends the round: writes what the held flushes left in the buffer. */
    void release() throws IOException {
      holder = null;
      delegate.flush();
    }

    @Override
    public void flush() throws IOException {
      if (Thread.currentThread() != holder) {
        delegate.flush();
      }
    }

    @Override
    public void writeFrame(Frame frame) throws IOException {
      delegate.writeFrame(frame);
    }

    @Override
    public Frame readFrame() throws IOException {
      return delegate.readFrame();
    }

    @Override
    public void setTimeout(int timeoutMs) throws SocketException {
      delegate.setTimeout(timeoutMs);
    }

    @Override
    public int getTimeout() throws SocketException {
      return delegate.getTimeout();
    }

    @Override
    public void sendHeader() throws IOException {
      delegate.sendHeader();
    }

    @Override
    public void initialize(AMQConnection connection) {
      delegate.initialize(connection);
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public InetAddress getLocalAddress() {
      return delegate.getLocalAddress();
    }

    @Override
    public int getLocalPort() {
      return delegate.getLocalPort();
    }

    @Override
    public InetAddress getAddress() {
      return delegate.getAddress();
    }

    @Override
    public int getPort() {
      return delegate.getPort();
    }
  }
}
