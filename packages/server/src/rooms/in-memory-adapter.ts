import type { Adapter, AdapterMember, AdapterNode, BroadcastTarget } from './adapter.js';

/**
 * The default {@link Adapter}: rooms of one process, kept in two maps (room → members and
 * member → rooms) so that joins, leaves and a member's room list are all O(1) per room. Cluster
 * adapters extend it (as socket.io's adapters extend theirs): it keeps their node's members, and
 * they add what spans nodes.
 */
export class InMemoryAdapter implements Adapter {
  /** The server this adapter serves, once attached. */
  protected node: AdapterNode | undefined;
  /** This node's members of each room. */
  protected readonly roomMembers = new Map<string, Set<AdapterMember>>();
  /** The rooms of each of this node's members. */
  protected readonly memberRooms = new Map<AdapterMember, Set<string>>();

  attach(node: AdapterNode): void {
    this.node = node;
  }

  join(member: AdapterMember, room: string): void {
    let members = this.roomMembers.get(room);
    if (members === undefined) this.roomMembers.set(room, (members = new Set()));
    members.add(member);
    let rooms = this.memberRooms.get(member);
    if (rooms === undefined) this.memberRooms.set(member, (rooms = new Set()));
    rooms.add(room);
  }

  leave(member: AdapterMember, room: string): void {
    const members = this.roomMembers.get(room);
    if (members !== undefined && members.delete(member) && members.size === 0) this.roomMembers.delete(room);
    const rooms = this.memberRooms.get(member);
    if (rooms !== undefined && rooms.delete(room) && rooms.size === 0) this.memberRooms.delete(member);
  }

  leaveAll(member: AdapterMember): void {
    const rooms = this.memberRooms.get(member);
    if (rooms === undefined) return;
    this.memberRooms.delete(member);
    for (const room of rooms) {
      const members = this.roomMembers.get(room);
      if (members !== undefined && members.delete(member) && members.size === 0) this.roomMembers.delete(room);
    }
  }

  roomsOf(member: AdapterMember): string[] {
    const rooms = this.memberRooms.get(member);
    return rooms === undefined ? [] : [...rooms];
  }

  // Declared as the Adapter's: a cluster adapter extending this one answers from elsewhere.
  members(room: string): string[] | Promise<string[]> {
    const members = this.roomMembers.get(room);
    return members === undefined ? [] : [...members].map((member) => member.id);
  }

  rooms(): string[] | Promise<string[]> {
    return [...this.roomMembers.keys()];
  }

  broadcast(frame: Uint8Array | string, target: BroadcastTarget): void {
    const members = target.room === undefined ? this.node?.connections() : this.roomMembers.get(target.room);
    if (members === undefined) return;
    const except = target.except;
    const skipped = target.exceptRoom === undefined ? undefined : this.roomMembers.get(target.exceptRoom);
    for (const member of members) {
      if (member.id !== except && skipped?.has(member) !== true) member.deliver(frame);
    }
  }

  close(): void {
    this.roomMembers.clear();
    this.memberRooms.clear();
  }
}
