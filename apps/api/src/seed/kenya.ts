/** Word lists for believable demo data of a Nairobi-area ISP. */
export const GIVEN_NAMES = [
  'John', 'Mary', 'Peter', 'Grace', 'James', 'Faith', 'David', 'Mercy', 'Brian', 'Esther',
  'Kevin', 'Sharon', 'Dennis', 'Joy', 'Collins', 'Purity', 'Victor', 'Cynthia', 'Felix', 'Lucy',
  'Ian', 'Beatrice', 'Samuel', 'Naomi', 'Joseph', 'Diana', 'Daniel', 'Ruth', 'Eric', 'Caroline',
  'Amina', 'Hassan', 'Fatuma', 'Juma', 'Zawadi', 'Baraka', 'Imani', 'Neema', 'Tumaini', 'Halima',
] as const;

export const SURNAMES = [
  'Wanjiru', 'Kamau', 'Otieno', 'Achieng', 'Mwangi', 'Njeri', 'Chebet', 'Omondi', 'Akinyi', 'Mutua',
  'Mwende', 'Wafula', 'Nafula', 'Kiprop', 'Odhiambo', 'Atieno', 'Njoroge', 'Wairimu', 'Barasa', 'Kerubo',
  'Onyango', 'Moraa', 'Kibet', 'Wambui', 'Macharia', 'Nyambura', 'Ochieng', 'Adhiambo', 'Kiptoo', 'Mutiso',
  'Kariuki', 'Gitau', 'Ndungu', 'Muthoni', 'Koech', 'Rotich', 'Makau', 'Wekesa', 'Simiyu', 'Chege',
] as const;

/** Estates the ISP covers, with a road customers give as landmark. */
export const ESTATES = [
  { estate: 'Roysambu', road: 'Mirema Drive' },
  { estate: 'Kasarani', road: 'Kasarani-Mwiki Road' },
  { estate: 'Kahawa West', road: 'Kamiti Road' },
  { estate: 'Githurai 45', road: 'Thika Road' },
  { estate: 'Zimmerman', road: 'Zimmerman Road' },
  { estate: 'Umoja II', road: 'Moi Drive' },
  { estate: 'Donholm', road: 'Outer Ring Road' },
  { estate: 'Embakasi', road: 'Airport North Road' },
  { estate: 'Utawala', road: 'Eastern Bypass' },
  { estate: 'Pipeline', road: 'Outer Ring Road' },
  { estate: 'Kitengela', road: 'Namanga Road' },
  { estate: 'Ongata Rongai', road: 'Magadi Road' },
  { estate: 'Ruaka', road: 'Limuru Road' },
  { estate: 'Kikuyu', road: 'Waiyaki Way' },
  { estate: 'Syokimau', road: 'Mombasa Road' },
  { estate: 'Ngong', road: 'Ngong Road' },
  { estate: 'South B', road: 'Mchumbi Road' },
  { estate: 'Kileleshwa', road: 'Othaya Road' },
  { estate: 'Juja', road: 'Thika Road' },
  { estate: 'Ruiru', road: 'Eastern Bypass' },
] as const;

export const PHONE_PREFIXES = [
  '0710', '0711', '0712', '0713', '0714', '0715', '0716', '0717', '0718', '0719', '0720', '0721', '0722',
  '0723', '0724', '0725', '0726', '0727', '0728', '0729', '0740', '0741', '0742', '0743', '0745', '0746',
  '0748', '0757', '0758', '0759', '0768', '0769', '0790', '0791', '0792', '0793', '0794', '0795', '0796',
  '0797', '0798', '0799', '0110', '0111', '0112', '0113', '0114', '0115',
] as const;

export const LEAD_SOURCES = ['walk-in', 'referral', 'facebook', 'flyer', 'website', 'whatsapp', 'field agent'] as const;

export const LOST_REASONS = [
  'Too expensive for now',
  'No fibre coverage on that road yet',
  'Chose Safaricom Home Fibre',
  'Moving out of the estate',
  'Not reachable after three calls',
  'Landlord does not allow installation',
] as const;

export const LEAD_NOTES = [
  'Called, asked us to call back after payday',
  'Interested in the 10 Mbps package for the family',
  'Wants installation on a Saturday',
  'Neighbour is already a customer; heard about us from them',
  'Asked whether the router is included (it is)',
  'Site survey done; pole within 40 m',
  'Prefers to pay by M-Pesa monthly',
  'Works from home, needs a stable upload',
] as const;

export const TICKET_SUBJECTS = [
  'No internet since morning',
  'Slow speeds in the evening',
  'Router LOS light is red',
  'Paid via M-Pesa but still disconnected',
  'Relocation to a new house',
  'Change WiFi name and password',
  'Connection drops when it rains',
  'Request upgrade to 20 Mbps',
  'Fibre cable cut by road works',
  'Hotspot login page not loading',
  'Router keeps restarting',
  'Cannot reach the internet on the TV box',
] as const;

export const TICKET_COMMENTS = [
  'Called the customer; confirmed the router lights.',
  'Remote check: ONU offline since 06:10.',
  'Technician dispatched, ETA 2 hours.',
  'Replaced the patch cord at the distribution box.',
  'Customer confirms the connection is back.',
  'Payment found under a different account number; reassigned.',
  'Waiting for the customer to be home.',
  'Speed test on site: 19.6 Mbps down, 9.8 up.',
] as const;
