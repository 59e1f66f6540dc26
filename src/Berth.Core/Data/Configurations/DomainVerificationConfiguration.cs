using Berth.Core.Domains;
using Berth.Core.Domains.Verification;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class DomainVerificationConfiguration : IEntityTypeConfiguration<DomainVerification>
{
    public void Configure(EntityTypeBuilder<DomainVerification> builder)
    {
        builder.ToTable("Hosting_DomainVerifications");
        builder.HasKey(v => v.DomainId);
        builder.Property(v => v.DomainId).HasColumnName("DomainID").ValueGeneratedNever();
        builder.Property(v => v.DomainName).HasColumnName("DomainName").IsRequired();
        builder.Property(v => v.Status).HasColumnName("Status").IsRequired().HasDefaultValue(VerificationStatus.Pending);
        builder.Property(v => v.CheckedAt).HasColumnName("CheckedAt");
        builder.Property(v => v.LastError).HasColumnName("LastError");
        builder.HasOne<DomainName>().WithOne().HasForeignKey<DomainVerification>(v => v.DomainId).OnDelete(DeleteBehavior.Cascade);
    }
}
