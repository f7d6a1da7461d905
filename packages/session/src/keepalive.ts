/**
 * When a session pings its peer: once per interval (the host's timer calls {@link due}), only
 * when nothing was received since the last tick and no ping is out. Received traffic only sets a
 * flag, so it postpones pings at no cost per frame.
 */
export class Keepalive {
  private receivedSinceTick = false;
  private pinging = false;

  /** Something arrived from the peer. */
  received(): void {
    this.receivedSinceTick = true;
  }

  /** The interval passed: true when a ping should go out now. */
  due(): boolean {
    if (this.receivedSinceTick || this.pinging) {
      this.receivedSinceTick = false;
      return false;
    }
    return true;
  }

  /** A ping went out (until {@link answered}, no other is sent). */
  sent(): void {
    this.pinging = true;
  }

  /** The ping was answered, failed, or the session closed. */
  answered(): void {
    this.pinging = false;
  }
}
