import { describe, expect, it } from 'vitest';
import { phoneSchema } from './common';
import { phoneSearchFragment, toDarajaPhone, toInternationalPhone, toLocalPhone } from './phone';

describe('Kenyan phone numbers', () => {
  it.each(['0712345678', '0712 345 678', '+254712345678', '254712345678', '254-712-345-678', '712345678'])(
    '%s is the same subscriber in every spelling',
    (input) => {
      expect(toLocalPhone(input)).toBe('0712345678');
      expect(toInternationalPhone(input)).toBe('+254712345678');
      expect(toDarajaPhone(input)).toBe('254712345678');
    },
  );

  it('knows the 01… range and refuses what is not a Kenyan mobile number', () => {
    expect(toInternationalPhone('0110 123456')).toBe('+254110123456');
    for (const bad of ['', '0212345678', '+255712345678', '07123456', '07123456789', 'phone']) expect(toLocalPhone(bad)).toBeNull();
  });

  it('the phone field accepts the international spellings and stores the local one', () => {
    expect(phoneSchema.parse('+254 712 345 678')).toBe('0712345678');
    expect(phoneSchema.parse('254712345678')).toBe('0712345678');
    expect(phoneSchema.parse('0712-345-678')).toBe('0712345678');
    expect(phoneSchema.safeParse('12345').error?.issues[0]?.message).toBe('Phone must be exactly 10 digits');
  });

  it('turns a searched fragment into the stored spelling', () => {
    expect(phoneSearchFragment('+2547123')).toBe('07123');
    expect(phoneSearchFragment('2547 123')).toBe('07123');
    expect(phoneSearchFragment('0712')).toBe('0712');
    expect(phoneSearchFragment('Amina')).toBe('Amina');
  });
});
