import { SortedNames } from './sorted-names.js';

/**
 * The memory store's index of rooms, so that a page of `roomList` costs O(log rooms + page) and
 * the rooms a user owns are counted without a scan: every room and the visible ones in name order,
 * each user's hidden-room candidates (rooms it owns, administers, holds the token of or is joined
 * to; the store checks the exact rule when it lists them), and the rooms each user owns.
 */
export class RoomIndex {
  private readonly all = new SortedNames();
  private readonly visible = new SortedNames();
  private readonly related = new Map<string, Set<string>>();
  private readonly owned = new Map<string, Set<string>>();

  added(room: string, visible: boolean, owner: string | null): void {
    this.all.add(room);
    if (visible) this.visible.add(room);
    if (owner !== null) this.ownerChanged(room, null, owner);
  }

  /** `users`: everyone who may have been related to the room. */
  removed(room: string, owner: string | null, users: Iterable<string>): void {
    this.all.delete(room);
    this.visible.delete(room);
    if (owner !== null) this.ownerChanged(room, owner, null);
    for (const user of users) this.unrelate(user, room);
  }

  visibilityChanged(room: string, visible: boolean): void {
    if (visible) this.visible.add(room);
    else this.visible.delete(room);
  }

  /** The old owner stays a candidate until the store finds it unrelated. */
  ownerChanged(room: string, from: string | null, to: string | null): void {
    if (from !== null) this.owned.get(from)?.delete(room);
    if (to === null) return;
    let rooms = this.owned.get(to);
    if (rooms === undefined) this.owned.set(to, (rooms = new Set()));
    rooms.add(room);
    this.relate(to, room);
  }

  relate(user: string, room: string): void {
    let rooms = this.related.get(user);
    if (rooms === undefined) this.related.set(user, (rooms = new Set()));
    rooms.add(room);
  }

  unrelate(user: string, room: string): void {
    const rooms = this.related.get(user);
    if (rooms === undefined) return;
    rooms.delete(room);
    if (rooms.size === 0) this.related.delete(user);
  }

  ownedCount(user: string): number {
    return this.owned.get(user)?.size ?? 0;
  }

  /**
   * Names after `after`, at most `limit`: every room for no viewer, else the visible rooms merged
   * with the viewer's hidden candidates that `seesHidden` admits.
   */
  page(viewer: string | undefined, after: string | undefined, limit: number, seesHidden: (room: string) => boolean): string[] {
    if (viewer === undefined) return this.all.after(after, limit);
    const visible = this.visible.after(after, limit);
    const hidden: string[] = [];
    for (const room of this.related.get(viewer) ?? []) {
      if ((after === undefined || room > after) && seesHidden(room)) hidden.push(room);
    }
    if (hidden.length === 0) return visible;
    hidden.sort();
    const page: string[] = [];
    let v = 0;
    let h = 0;
    while (page.length < limit && (v < visible.length || h < hidden.length)) {
      if (h >= hidden.length || (v < visible.length && visible[v]! < hidden[h]!)) page.push(visible[v++]!);
      else page.push(hidden[h++]!);
    }
    return page;
  }
}
