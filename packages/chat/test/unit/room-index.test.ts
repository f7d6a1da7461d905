import { describe, expect, it } from 'vitest';
import { AnswerBudgets } from '../../src/answer-budget.js';
import { RoomIndex } from '../../src/room-index.js';
import { SortedNames } from '../../src/sorted-names.js';

describe('SortedNames', () => {
  it('keeps names in order without duplicates and pages after a name', () => {
    const names = new SortedNames();
    for (const name of ['m', 'c', 'x', 'c', 'a']) names.add(name);
    names.delete('x');
    names.delete('nope');
    expect(names.size).toBe(3);
    expect(names.after(undefined, 10)).toEqual(['a', 'c', 'm']);
    expect(names.after('a', 1)).toEqual(['c']);
    expect(names.after('b', 10)).toEqual(['c', 'm']);
    expect(names.after('m', 10)).toEqual([]);
  });
});

describe('RoomIndex', () => {
  it('a page looks at the viewer\'s own candidates only, however many rooms there are', () => {
    const index = new RoomIndex();
    for (let room = 0; room < 20_000; room++) index.added(`r${String(room).padStart(5, '0')}`, room % 2 === 0, `owner${room}`);
    index.relate('ann', 'r00001');
    index.relate('ann', 'r00003');
    const asked: string[] = [];
    const page = index.page('ann', undefined, 4, (room) => {
      asked.push(room);
      return true;
    });
    expect(page).toEqual(['r00000', 'r00001', 'r00002', 'r00003']);
    expect(asked.sort()).toEqual(['r00001', 'r00003']);
    expect(index.ownedCount('owner7')).toBe(1);
  });
});

describe('AnswerBudgets', () => {
  it('a connection\'s budget is what it may buffer, less what waits and what answers being built reserved', () => {
    const budgets = new AnswerBudgets();
    const connection = { bufferedAmount: 100, maxBufferedAmount: 1000 };
    const first = budgets.for(connection);
    const second = budgets.for(connection);
    expect(first.available()).toBe(900);
    first.reserve(600);
    expect(second.available()).toBe(300);
    second.reserve(300);
    expect(first.available()).toBe(0);
    first.release();
    expect(second.available()).toBe(600);
    second.release();
    second.release();
    expect(budgets.for(connection).available()).toBe(900);
    // Another connection has its own.
    expect(budgets.for({ bufferedAmount: 0, maxBufferedAmount: 10 }).available()).toBe(10);
  });
});
